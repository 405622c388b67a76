import { createHash } from 'node:crypto'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { MAX_BATCH_REVOCATIONS, REVOCATIONS_TOPIC } from './constants.js'
import { InvalidRevocationError } from './errors.js'
import { openRevocation, sealRevocation } from './revocation.js'
import { readRevocationFile, writeRevocationFile } from './envelope-file.js'
import { RevocationList } from './revocation-list.js'
import type { Revocation, SignedRevocation } from './revocation.js'
import type { RevocationRejection } from './errors.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Logger, PrivateKey } from '@libp2p/interface'

export interface RevocationsInit {
  roots: ReadonlySet<string>
  /** whether a peer holds a valid `admin` certificate here now */
  isAdmin: (peerId: string) => boolean
  /** file keeping every revocation held */
  file?: string
  log: Logger
  /** a peer was revoked here (a new revocation was taken): cut it off */
  onRevoked: (revocation: Revocation) => void
}

/** refused revocations, by reason, for status */
export type RevocationRejections = Record<RevocationRejection, number>

/**
 * The revocations of a node: the list, kept in a file across restarts, published on
 * REVOCATIONS_TOPIC when new and taken from gossip and from the membership exchange.
 */
export class Revocations {
  readonly list: RevocationList
  readonly rejected: RevocationRejections = { malformed: 0, signature: 0, issuer: 0, unauthorized: 0, full: 0 }
  private pubsub?: GossipSub
  /** sha256 of every envelope taken, to skip them unopened when they come again */
  private readonly held = new Set<string>()
  private saving: Promise<void> = Promise.resolve()

  constructor (private readonly init: RevocationsInit) {
    this.list = new RevocationList({ roots: init.roots, isAdmin: init.isAdmin })
  }

  /**
   * take the revocations kept in the file: their signatures are checked again, who signed them was
   * checked when they were taken (the certificate of an admin that signed one is not kept here)
   */
  async load (): Promise<void> {
    if (this.init.file == null) return
    await this.receive(await readRevocationFile(this.init.file), 'the revocation file', { save: false, checked: true })
  }

  /** subscribe to the topic; pubsub is only usable once every service has started */
  subscribe (pubsub: GossipSub): void {
    this.pubsub = pubsub
    pubsub.topicValidators.set(REVOCATIONS_TOPIC, async (from, message) => await this.validateGossip(message.data, from.toString()))
    pubsub.subscribe(REVOCATIONS_TOPIC)
  }

  async stop (): Promise<void> {
    this.pubsub?.topicValidators.delete(REVOCATIONS_TOPIC)
    this.pubsub = undefined
    await this.saving
  }

  /** the envelopes an exchange batch carries: the newest MAX_BATCH_REVOCATIONS */
  batch (): Uint8Array[] {
    return this.list.all().slice(0, MAX_BATCH_REVOCATIONS).map(s => s.envelope)
  }

  /** sign a revocation, take it, keep it and publish it; throws `InvalidRevocationError` when the signer may not make it */
  async revoke (revocation: Revocation, privateKey: PrivateKey): Promise<SignedRevocation> {
    const existing = this.list.get(revocation.subject)
    if (existing != null) return existing
    const signed: SignedRevocation = { revocation, envelope: await sealRevocation(revocation, privateKey) }
    this.take(signed)
    await this.save()
    await this.publish(signed.envelope)
    return signed
  }

  /** open, check and take revocations from `source` (those held already are skipped unopened); returns the new ones */
  async receive (envelopes: Uint8Array[], source: string, opts: { save?: boolean, checked?: boolean } = {}): Promise<SignedRevocation[]> {
    const added: SignedRevocation[] = []
    for (const envelope of envelopes) {
      if (this.isHeld(envelope)) continue
      const signed = await this.open(envelope, source)
      if (signed != null && this.list.get(signed.revocation.subject) == null && this.tryTake(signed, source, opts.checked)) added.push(signed)
    }
    if (added.length > 0 && opts.save !== false) await this.save()
    return added
  }

  /** the issuers of the revocations in `envelopes` whose subjects are not revoked here yet */
  async issuersOf (envelopes: Uint8Array[]): Promise<string[]> {
    const issuers = new Set<string>()
    for (const envelope of envelopes) {
      if (this.isHeld(envelope)) continue
      try {
        const { revocation } = await openRevocation(envelope)
        if (!this.list.has(revocation.subject)) issuers.add(revocation.issuer)
      } catch {}
    }
    return [...issuers]
  }

  private isHeld (envelope: Uint8Array): boolean {
    return this.held.has(keyOf(envelope))
  }

  private async open (envelope: Uint8Array, source: string): Promise<SignedRevocation | undefined> {
    try {
      return await openRevocation(envelope)
    } catch (err: any) {
      this.count(err, source)
      return undefined
    }
  }

  private tryTake (signed: SignedRevocation, source: string, checked = false): boolean {
    try {
      return this.take(signed, checked)
    } catch (err: any) {
      this.count(err, source)
      return false
    }
  }

  private take (signed: SignedRevocation, checked = false): boolean {
    if (!this.list.add(signed, checked)) return false
    this.held.add(keyOf(signed.envelope))
    const { subject, issuer, reason } = signed.revocation
    this.init.log('%s is revoked by %s%s', subject, issuer, reason !== '' ? ` (${reason})` : '')
    this.init.onRevoked(signed.revocation)
    return true
  }

  private count (err: any, source: string): void {
    const reason: RevocationRejection = err instanceof InvalidRevocationError ? err.reason : 'malformed'
    this.rejected[reason]++
    this.init.log('ignored a revocation from %s - %s', source, err.message)
  }

  private async validateGossip (data: Uint8Array, from: string): Promise<TopicValidatorResult> {
    const signed = await this.open(data, from)
    if (signed == null) return TopicValidatorResult.Reject
    if (this.list.has(signed.revocation.subject)) return TopicValidatorResult.Ignore
    if (!this.tryTake(signed, from)) return TopicValidatorResult.Ignore
    await this.save()
    return TopicValidatorResult.Accept
  }

  private async publish (envelope: Uint8Array): Promise<void> {
    try {
      await this.pubsub?.publish(REVOCATIONS_TOPIC, envelope)
    } catch (err: any) {
      this.init.log('publishing a revocation failed (it still travels in the membership exchange) - %s', err.message)
    }
  }

  private async save (): Promise<void> {
    const file = this.init.file
    if (file == null) return
    const envelopes = this.list.all().map(s => s.envelope)
    this.saving = this.saving.then(async () => { await writeRevocationFile(file, envelopes) })
      .catch(err => { this.init.log.error('cannot keep the revocations in %s - %e', file, err) })
    await this.saving
  }
}

function keyOf (envelope: Uint8Array): string {
  return createHash('sha256').update(envelope).digest('hex')
}
