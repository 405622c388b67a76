import { join } from 'node:path'
import { CERTIFICATES_FILE, writeCertificateFile } from '../../membership/index.js'
import { parseInvite, peerIdOfAddr } from '../../membership/invite.js'
import { InviteFormatError, RedeemError } from '../../membership/invite-errors.js'
import { loadOrCreateIdentity } from '../../mesh/identity.js'
import { RemoteError, UsageError } from '../errors.js'
import type { ClawMatrixConfig } from '../../config/resolve.js'
import type { Invite } from '../../membership/invite.js'

export interface ConfiguredPeerEntry { url: string, peerId: string }

export interface Joined {
  /** the node id the certificate binds (written into the config: it must not change) */
  nodeId: string
  certificatesFile: string
  /** one entry per member the issuer named, its issuer first */
  peers: ConfiguredPeerEntry[]
}

const LOOPBACK = /\/(ip4\/127\.|ip6\/::1\/)/

/** one address per member (the first that is not loopback, else the first), its peer ID pinned */
export function peersOf (addrs: string[]): ConfiguredPeerEntry[] {
  const byPeer = new Map<string, string[]>()
  for (const addr of addrs) {
    const peerId = peerIdOfAddr(addr)
    if (peerId == null) continue
    byPeer.set(peerId, [...byPeer.get(peerId) ?? [], addr])
  }
  return [...byPeer].map(([peerId, list], i) => {
    // the first is the issuer's address as dialed: it worked from here
    const addr = i === 0 ? list[0] : list.find(a => !LOOPBACK.test(a)) ?? list[0]
    return { url: addr.slice(0, addr.lastIndexOf('/p2p/')), peerId }
  })
}

/** The invite `text` holds; UsageError naming what is wrong with it */
export function readInvite (text: string): Invite {
  try {
    return parseInvite(text)
  } catch (err) {
    if (err instanceof InviteFormatError) throw new UsageError(`invite: ${err.message}`)
    throw err
  }
}

/** The settings a member of the invite's mesh needs: its secret, certificates membership, its admins, the node id */
export function inviteSettings (invite: Invite, nodeId: string | undefined): Record<string, unknown> {
  const name = nodeId ?? invite.name
  return {
    ...(name != null ? { nodeId: name } : {}),
    secret: invite.secret,
    membership: 'certificates',
    admins: invite.admins
  }
}

/**
 * Redeem `invite` for this machine: the identity in the dataDir `raw` resolves to (created when
 * new), a certificate from the issuer for the node id `raw` resolves to, kept beside it.
 * Throws RemoteError with the issuer's reason when it refuses or cannot be reached.
 */
export async function redeemForConfig (invite: Invite, raw: Record<string, unknown>, resolve: (raw: Record<string, unknown>) => ClawMatrixConfig): Promise<Joined> {
  const draft = resolve(raw)
  const privateKey = await loadOrCreateIdentity(draft.dataDir)
  // loaded here so that other commands do not pay for importing the libp2p stack
  const { redeemInvite } = await import('../../membership/redeem-client.js')
  let redeemed
  try {
    redeemed = await redeemInvite(invite, privateKey, draft.nodeId)
  } catch (err) {
    if (err instanceof RedeemError) throw new RemoteError(err.code, err.message)
    throw err
  }
  const certificatesFile = join(draft.dataDir, CERTIFICATES_FILE)
  await writeCertificateFile(certificatesFile, redeemed.certificates)
  return { nodeId: draft.nodeId, certificatesFile, peers: peersOf(redeemed.addrs) }
}

/** `existing` peers, but those naming the same peer or url as a joined one, then the joined ones */
export function mergePeers (existing: unknown, joined: ConfiguredPeerEntry[]): unknown[] {
  const kept = Array.isArray(existing) ? existing : []
  const taken = new Set(joined.flatMap(p => [p.peerId, p.url]))
  const others = kept.filter((p: any) => !(p != null && typeof p === 'object' && (taken.has(p.peerId) || taken.has(p.url))))
  return [...others, ...joined]
}

/** The config a join writes: what is there, the invite's settings over it, the members added to peers */
export function joinedConfig (current: Record<string, unknown> | undefined, settings: Record<string, unknown>, nodeId: string, peers: ConfiguredPeerEntry[]): Record<string, unknown> {
  return { ...current, ...settings, nodeId, peers: mergePeers(current?.peers, peers) }
}

/**
 * Whether `current` (a config object) belongs to another mesh than the invite's: another cluster
 * secret and no admin in common. The same admins with another secret is this mesh after a secret
 * rotation the node missed while offline: the invite brings the new secret.
 */
export function isOtherMesh (current: Record<string, unknown> | undefined, invite: Invite): boolean {
  const secret = current?.secret
  if (secret == null || secret === invite.secret) return false
  const admins = Array.isArray(current?.admins) ? current.admins : []
  return !admins.some(a => invite.admins.includes(a))
}
