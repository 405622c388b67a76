import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { INVITE_TOKEN_BYTES, MAX_INVITES } from './invite-constants.js'
import { CannotInviteError, RedeemError } from './invite-errors.js'

/** An invite as its issuer keeps it: never the token, only its hash */
export interface StoredInvite {
  /** hex SHA-256 of the token */
  hash: string
  name?: string
  /** ms since the epoch */
  expiresAt: number
  usesLeft: number
  /** hex fingerprint of the cluster key whose secret the invite carries (absent: issued before rotation existed) */
  key?: string
}

export interface InviteRequest {
  name?: string
  expiresAt: number
  uses: number
}

export function tokenHash (token: Uint8Array): string {
  return createHash('sha256').update(token).digest('hex')
}

/**
 * The invites an admin issued, kept in one file of its dataDir (written beside it and renamed,
 * one write at a time). At most MAX_INVITES unexpired ones: expired ones are dropped at each
 * write, used-up ones when room is needed. A redeemed use is on disk before the redeem is answered.
 */
export class InviteStore {
  private readonly invites = new Map<string, StoredInvite>()
  private writing: Promise<void> = Promise.resolve()
  private loaded = false

  /** `currentKey`: the cluster key in use; an invite carrying another key's secret is dead (`invite_rotated`) */
  constructor (private readonly file: string, private readonly maxInvites = MAX_INVITES, private readonly currentKey?: () => { fingerprint: string, rotated: boolean }) {}

  async load (): Promise<void> {
    if (this.loaded) return
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err: any) {
      if (err.code !== 'ENOENT') throw new Error(`cannot read the invites in ${this.file}: ${String(err.message)}`)
      text = '[]'
    }
    let list: unknown
    try {
      list = JSON.parse(text)
    } catch (err: any) {
      throw new Error(`${this.file} does not hold invites: ${String(err.message)}`)
    }
    for (const entry of Array.isArray(list) ? list : []) {
      if (typeof entry?.hash === 'string' && Number.isSafeInteger(entry.expiresAt) && Number.isSafeInteger(entry.usesLeft)) {
        this.invites.set(entry.hash, { hash: entry.hash, expiresAt: entry.expiresAt, usesLeft: entry.usesLeft, ...(typeof entry.name === 'string' ? { name: entry.name } : {}), ...(typeof entry.key === 'string' ? { key: entry.key } : {}) })
      }
    }
    this.loaded = true
    this.prune()
  }

  get size (): number {
    return this.invites.size
  }

  /** keep a new invite; resolves with its token once it is on disk */
  async issue (request: InviteRequest): Promise<Uint8Array> {
    await this.load()
    this.prune()
    // used-up invites make room first (a second use of one then says unknown_invite)
    for (const [hash, invite] of this.invites) {
      if (this.invites.size < this.maxInvites) break
      if (invite.usesLeft <= 0) this.invites.delete(hash)
    }
    if (this.invites.size >= this.maxInvites) throw new CannotInviteError(`this node keeps ${this.maxInvites} unexpired invites already: let some expire or be used first`)
    const token = randomBytes(INVITE_TOKEN_BYTES)
    const hash = tokenHash(token)
    const key = this.currentKey?.().fingerprint
    this.invites.set(hash, { hash, expiresAt: request.expiresAt, usesLeft: request.uses, ...(request.name != null ? { name: request.name } : {}), ...(key != null ? { key } : {}) })
    await this.save()
    return token
  }

  /**
   * The invite `token` stands for, if it may be used now by `nodeId`; throws `RedeemError`
   * (`unknown_invite`, `invite_expired`, `invite_rotated`, `invite_used`, `node_id_taken`) otherwise.
   */
  async check (token: Uint8Array, nodeId: string): Promise<StoredInvite> {
    await this.load()
    return this.usable(token, nodeId)
  }

  /** take one use of the invite `token` stands for and keep that on disk (check and take in one turn: no two redeems take the last use) */
  async use (token: Uint8Array, nodeId: string): Promise<void> {
    await this.load()
    this.usable(token, nodeId).usesLeft -= 1
    await this.save()
  }

  private usable (token: Uint8Array, nodeId: string, now = Date.now()): StoredInvite {
    const invite = this.invites.get(tokenHash(token))
    if (invite == null) throw new RedeemError('unknown_invite')
    if (invite.expiresAt <= now) throw new RedeemError('invite_expired')
    const current = this.currentKey?.()
    if (current != null && (invite.key != null ? invite.key !== current.fingerprint : current.rotated)) throw new RedeemError('invite_rotated')
    if (invite.usesLeft <= 0) throw new RedeemError('invite_used')
    if (invite.name != null && invite.name !== nodeId) throw new RedeemError('node_id_taken', `this invite is for node id "${invite.name}", not "${nodeId}"`)
    return invite
  }

  private prune (now = Date.now()): void {
    for (const [hash, invite] of this.invites) {
      if (invite.expiresAt <= now) this.invites.delete(hash)
    }
  }

  /** used-up invites stay until they expire, so a second use says `invite_used`, not `unknown_invite` */
  private async save (): Promise<void> {
    const list = [...this.invites.values()]
    this.writing = this.writing.catch(() => {}).then(async () => {
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 })
      const tmp = `${this.file}.${process.pid}.tmp`
      await writeFile(tmp, JSON.stringify(list) + '\n', { mode: 0o600 })
      await rename(tmp, this.file)
    })
    await this.writing
  }
}
