export type RejectionReason = 'malformed' | 'signature' | 'nonMember'

/** How many records were refused and why, for status */
export class RejectionCounters {
  malformed = 0
  signature = 0
  nonMember = 0

  count (reason: RejectionReason): void {
    this[reason]++
  }

  toJSON (): Record<RejectionReason, number> {
    return { malformed: this.malformed, signature: this.signature, nonMember: this.nonMember }
  }
}
