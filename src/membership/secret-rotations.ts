import { createHash } from 'node:crypto'
import { TypedEventEmitter } from '@libp2p/interface'
import { ClusterKey, keyFingerprint } from '../mesh/cluster-key.js'
import { probePnet } from '../mesh/pnet-probe.js'
import { deriveClusterKey, pskFromSecret } from '../mesh/psk.js'
import { CLOCK_SKEW_MS, MAX_KEPT_ROTATIONS, MAX_ROTATION_LEAD_MS, MAX_ROTATION_PROBES } from './constants.js'
import { readRotationFile, writeRotationFile } from './envelope-file.js'
import { InvalidRotationError } from './errors.js'
import { compareRotations, newRotationSecret, openRotation, sealRotation } from './rotation.js'
import type { RotationRejection } from './errors.js'
import type { Rotation, SignedRotation } from './rotation.js'
import type { Logger, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** ms before the same address is probed again with a pending rotation's key */
export const ROTATION_PROBE_INTERVAL_MS = 1000
/** envelopes remembered as seen (taken or refused), so a flood's echoes are skipped unopened */
const MAX_SEEN = 256

export interface SecretRotationsInit {
  /** the configured cluster secret */
  secret: string
  /** file keeping the rotations taken (`ROTATIONS_FILE` in the dataDir) */
  file?: string
  log: Logger
  /** the local clock (tests skew it) */
  now?: () => number
}

/** A rotation as status shows it (never its secret) */
export interface RotationSummary {
  issuer: string
  issuedAt: number
  switchAt: number
  generation: number
  /** local ms when this node switched; null for a pending one, or one applied at a start */
  appliedAt: number | null
}

/** The cluster key and its rotations, as status and `members` show them */
export interface SecretRotationView {
  /** hex fingerprint of the key in use */
  fingerprint: string
  generation: number
  /** the rotation that will replace the key in use */
  pending: RotationSummary | null
  /** the rotation that brought the key in use */
  last: RotationSummary | null
  /** rotations refused, by reason */
  rejected: Record<RotationRejection, number>
}

export interface SecretRotationsEvents {
  /** a new rotation is pending (from this node or a peer): pass it on */
  pending: CustomEvent<Rotation>
  /** the key was switched: close every connection (the detail says why now) */
  switched: CustomEvent<string>
}

interface Pending {
  signed: SignedRotation
  psk: Uint8Array
}

const hashOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/**
 * The cluster key of a node and the secret rotations that replace it: each names the key it
 * replaces (`previous`), so one that does not replace the key in use is refused and an old one
 * replayed can never switch back. A pending rotation switches the key at its `switchAt` (local
 * clock), or at once when a peer is found answering with the new key. The chain is kept in a
 * file so a restart comes back on the latest key.
 */
export class SecretRotations extends TypedEventEmitter<SecretRotationsEvents> {
  readonly key: ClusterKey
  readonly rejected: Record<RotationRejection, number> = { malformed: 0, signature: 0, issuer: 0, unauthorized: 0, stale: 0, refused: 0 }
  private secretInUse: string
  /** the rotations applied, oldest first */
  private readonly chain: SignedRotation[]
  private pending?: Pending
  private last?: RotationSummary
  private timer?: NodeJS.Timeout
  private readonly probed = new Map<string, number>()
  private readonly seen = new Set<string>()
  private saving: Promise<void> = Promise.resolve()
  private readonly now: () => number

  private constructor (private readonly init: SecretRotationsInit, key: ClusterKey, secret: string, chain: SignedRotation[], pending?: Pending) {
    super()
    this.key = key
    this.secretInUse = secret
    this.chain = chain
    this.pending = pending
    this.now = init.now ?? Date.now
    const head = chain.at(-1)?.rotation
    if (head != null) this.last = { ...summaryOf(head), appliedAt: null }
  }

  /**
   * The key a node starts on: the configured secret's, moved along the rotations kept in `file`
   * that follow from it (one whose switch time passed while the node was down is applied now). A
   * configured secret that none of them follows from is used as it is (set by hand) and said so.
   */
  static async load (init: SecretRotationsInit): Promise<SecretRotations> {
    const now = init.now ?? Date.now
    const key = new ClusterKey(await pskFromSecret(init.secret))
    let secret = init.secret
    const chain: SignedRotation[] = []
    let pending: Pending | undefined
    const kept: SignedRotation[] = []
    for (const envelope of init.file != null ? await readRotationFile(init.file, MAX_KEPT_ROTATIONS) : []) {
      try {
        kept.push(await openRotation(envelope))
      } catch (err: any) {
        init.log('ignored a secret rotation in %s - %s', init.file, err.message)
      }
    }
    while (true) {
      const next = kept.filter(s => s.rotation.previous === key.fingerprint).sort(compareRotations).at(-1)
      if (next == null || chain.includes(next)) break
      const psk = await pskFromSecret(next.rotation.secret)
      if (next.rotation.switchAt > now()) {
        pending = { signed: next, psk }
        break
      }
      key.set(psk, next.rotation.generation)
      secret = next.rotation.secret
      chain.push(next)
    }
    if (chain.length === 0 && pending == null && kept.length > 0) {
      // the configured secret may be a rotation's new one, written into the config by hand
      // `key` is still the configured secret's: no rotation followed from it
      for (const s of kept) {
        if (Buffer.from(keyFingerprint(await deriveClusterKey(s.rotation.secret))).toString('hex') !== key.fingerprint) continue
        key.generation = s.rotation.generation
        chain.push(s)
        break
      }
      if (chain.length === 0) init.log.error('the configured secret is none of the keys of the secret rotations in %s: it is used as set (replaced by hand), those rotations are ignored', init.file)
    }
    return new SecretRotations(init, key, secret, chain, pending)
  }

  /** the secret of the key in use (what an invite carries) */
  get secret (): string {
    return this.secretInUse
  }

  /** whether the key in use came from a rotation */
  get rotated (): boolean {
    return this.chain.length > 0
  }

  /** the pending rotation's envelope, to hand to an admitted peer */
  pendingEnvelope (): Uint8Array | undefined {
    return this.pending?.signed.envelope
  }

  pendingIssuer (): string | undefined {
    return this.pending?.signed.rotation.issuer
  }

  view (): SecretRotationView {
    const pending = this.pending?.signed.rotation
    return {
      fingerprint: this.key.fingerprint,
      generation: this.key.generation,
      pending: pending != null ? { ...summaryOf(pending), appliedAt: null } : null,
      last: this.last ?? null,
      rejected: { ...this.rejected }
    }
  }

  /** arm the switch of a pending rotation (at once when its time has passed) */
  start (): void {
    this.schedule()
  }

  async stop (): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    await this.saving
  }

  /**
   * Sign a rotation of the key in use, switching at `switchAt`, and take it (an admin's check is
   * the caller's). It replaces a pending one, being the later.
   */
  async rotate (switchAt: number, issuer: string, privateKey: PrivateKey): Promise<Rotation> {
    const rotation: Rotation = {
      secret: newRotationSecret(),
      previous: this.key.fingerprint,
      switchAt,
      issuedAt: Math.max(this.now(), (this.pending?.signed.rotation.issuedAt ?? 0) + 1),
      issuer,
      generation: this.key.generation + 1
    }
    await this.take(await sealRotation(rotation, privateKey), () => true)
    return rotation
  }

  /**
   * Take a rotation that came from a peer: it must replace the key in use, be signed by an admin
   * here (`isAdmin`), switch within MAX_ROTATION_LEAD_MS, and win over a pending one. Resolves
   * true when it is new and pending (pass it on), false when known; throws `InvalidRotationError`.
   */
  async take (envelope: Uint8Array, isAdmin: (peerId: string) => boolean): Promise<boolean> {
    const hash = hashOf(envelope)
    if (this.seen.has(hash)) return false
    try {
      const signed = await openRotation(envelope)
      const { rotation } = signed
      this.check(signed)
      if (!isAdmin(rotation.issuer)) throw new InvalidRotationError('unauthorized', `the issuer ${rotation.issuer} is no admin here`)
      if (rotation.switchAt > this.now() + MAX_ROTATION_LEAD_MS + CLOCK_SKEW_MS) throw new InvalidRotationError('refused', `it switches at ${new Date(rotation.switchAt).toISOString()}, more than ${MAX_ROTATION_LEAD_MS / 86_400_000} days ahead`)
      const psk = await pskFromSecret(rotation.secret)
      // the key or the pending rotation may have changed while the key was derived
      this.check(signed)
      this.remember(hash)
      this.pending = { signed, psk }
      this.probed.clear()
      this.init.log('secret rotation by %s pending: the key %s is replaced at %s', rotation.issuer, rotation.previous, new Date(rotation.switchAt).toISOString())
      await this.save()
      this.schedule()
      this.safeDispatchEvent('pending', { detail: rotation })
      return true
    } catch (err) {
      if (err instanceof InvalidRotationError) {
        this.rejected[err.reason]++
        // an issuer unknown here may be certified later, a lost race is no news: only these are final
        if (err.reason !== 'unauthorized') this.remember(hash)
      }
      throw err
    }
  }

  /**
   * A dial failed while a rotation is pending: probe the direct WebSocket addresses with the new
   * key (each at most once per ROTATION_PROBE_INTERVAL_MS); a peer answering on it means the mesh
   * has switched (clocks differ), so this node switches at once.
   */
  async probe (addrs: Multiaddr[]): Promise<boolean> {
    for (const addr of addrs) {
      const pending = this.pending
      if (pending == null) return false
      const parts = addr.getComponents().map(c => c.name)
      if (parts.includes('p2p-circuit') || !(parts.includes('ws') || parts.includes('wss'))) continue
      const where = addr.decapsulateCode(421).toString()
      const last = this.probed.get(where)
      if (last != null && last + ROTATION_PROBE_INTERVAL_MS > this.now()) continue
      this.probed.delete(where)
      this.probed.set(where, this.now())
      if (this.probed.size > MAX_ROTATION_PROBES) this.probed.delete(this.probed.keys().next().value as string)
      const answer = await probePnet(addr, pending.psk)
      if (answer.result === 'match' && this.pending === pending) {
        this.switchNow(`a peer at ${where} already uses the new key`)
        return true
      }
    }
    return false
  }

  /** throws unless `signed` replaces the key in use and wins over a pending rotation */
  private check (signed: SignedRotation): void {
    const { rotation } = signed
    if (rotation.previous !== this.key.fingerprint) throw new InvalidRotationError('stale', `it replaces the key ${rotation.previous}, not the key in use here (${this.key.fingerprint})`)
    if (this.pending != null && compareRotations(signed, this.pending.signed) <= 0) {
      throw new InvalidRotationError('refused', `the rotation of ${this.pending.signed.rotation.issuer} issued at ${new Date(this.pending.signed.rotation.issuedAt).toISOString()} wins over it`)
    }
  }

  private schedule (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const pending = this.pending
    if (pending == null) return
    const wait = Math.max(0, pending.signed.rotation.switchAt - this.now())
    this.timer = setTimeout(() => { this.switchNow('its switch time came') }, wait)
    this.timer.unref()
  }

  private switchNow (why: string): void {
    const pending = this.pending
    if (pending == null) return
    clearTimeout(this.timer)
    this.timer = undefined
    this.pending = undefined
    const { rotation } = pending.signed
    this.key.set(pending.psk, rotation.generation)
    this.secretInUse = rotation.secret
    this.chain.push(pending.signed)
    if (this.chain.length > MAX_KEPT_ROTATIONS) this.chain.shift()
    this.last = { ...summaryOf(rotation), appliedAt: this.now() }
    this.init.log('switched to the cluster key %s of the rotation by %s: %s', this.key.fingerprint, rotation.issuer, why)
    this.save().catch(() => {})
    this.safeDispatchEvent('switched', { detail: why })
  }

  private remember (hash: string): void {
    this.seen.add(hash)
    if (this.seen.size > MAX_SEEN) this.seen.delete(this.seen.values().next().value as string)
  }

  /** keep the chain and a pending rotation (serialized writes) */
  private async save (): Promise<void> {
    const file = this.init.file
    if (file == null) return
    const envelopes = [...this.chain, ...(this.pending != null ? [this.pending.signed] : [])].slice(-MAX_KEPT_ROTATIONS).map(s => s.envelope)
    this.saving = this.saving.then(async () => { await writeRotationFile(file, envelopes) })
      .catch(err => { this.init.log.error('cannot keep the secret rotations in %s - %e', file, err) })
    await this.saving
  }
}

function summaryOf (rotation: Rotation): Omit<RotationSummary, 'appliedAt'> {
  return { issuer: rotation.issuer, issuedAt: rotation.issuedAt, switchAt: rotation.switchAt, generation: rotation.generation }
}
