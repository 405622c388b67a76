export type RejectionReason = 'malformed' | 'signature' | 'nonMember' | 'seqAhead' | 'tableFull'

/**
 * How many records were refused and why, for status. `seqAhead`: the seq ran more than the skew
 * allowance ahead of this node's clock; `tableFull`: no place for a new signer (see PeerTable).
 */
export class RejectionCounters {
  malformed = 0
  signature = 0
  nonMember = 0
  seqAhead = 0
  tableFull = 0

  count (reason: RejectionReason): void {
    this[reason]++
  }

  toJSON (): Record<RejectionReason, number> {
    return { malformed: this.malformed, signature: this.signature, nonMember: this.nonMember, seqAhead: this.seqAhead, tableFull: this.tableFull }
  }
}
