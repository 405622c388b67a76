import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import * as Digest from 'multiformats/hashes/digest'
import { Invite as InviteMessage } from '../../protocols/invite.js'
import { INVITE_PREFIX, INVITE_TOKEN_BYTES, INVITE_VERSION, MAX_INVITE_ADDRS, MAX_INVITE_ADMINS, MAX_INVITE_CHARS } from './invite-constants.js'
import { InviteFormatError } from './invite-errors.js'
import { NODE_ID_PATTERN } from './constants.js'

/** An invite as the joiner reads it */
export interface Invite {
  /** the cluster secret */
  secret: string
  /** the issuing admin's peer ID */
  issuer: string
  /** multiaddrs with /p2p/: the issuer's first, then reachable listening members */
  addrs: string[]
  /** the root admins' peer IDs */
  admins: string[]
  token: Uint8Array
  /** the node id reserved for the joiner */
  name?: string
  /** ms since the epoch */
  expiresAt: number
}


/** `cm-invite:` + base64url of the `Invite` message */
export function encodeInvite (invite: Invite): string {
  const bytes = InviteMessage.encode({
    version: INVITE_VERSION,
    secret: invite.secret,
    issuer: peerIdFromString(invite.issuer).toMultihash().bytes,
    addrs: invite.addrs.map(a => multiaddr(a).bytes as Uint8Array<ArrayBuffer>),
    admins: invite.admins.map(a => peerIdFromString(a).toMultihash().bytes),
    token: invite.token as Uint8Array<ArrayBuffer>,
    ...(invite.name != null ? { name: invite.name } : {}),
    expiresAt: BigInt(invite.expiresAt)
  })
  return INVITE_PREFIX + Buffer.from(bytes).toString('base64url')
}

function peerIdOf (bytes: Uint8Array, what: string): string {
  try {
    return peerIdFromMultihash(Digest.decode(bytes)).toString()
  } catch {
    throw new InviteFormatError(`the invite's ${what} is not a peer ID`)
  }
}

/** The invite in `text`; throws `InviteFormatError` naming what is wrong */
export function parseInvite (text: string): Invite {
  const trimmed = text.trim()
  if (!trimmed.startsWith(INVITE_PREFIX)) throw new InviteFormatError(`not an invite: an invite starts with "${INVITE_PREFIX}" (the line \`clawmatrix invite\` prints)`)
  if (trimmed.length > MAX_INVITE_CHARS) throw new InviteFormatError(`the invite is ${trimmed.length} characters, over ${MAX_INVITE_CHARS}`)
  const body = trimmed.slice(INVITE_PREFIX.length)
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw new InviteFormatError('the invite is cut or mistyped: after "cm-invite:" only base64url characters (A-Z a-z 0-9 - _) may follow')
  let msg: InviteMessage
  try {
    msg = InviteMessage.decode(Buffer.from(body, 'base64url'), { limits: { addrs: MAX_INVITE_ADDRS, admins: MAX_INVITE_ADMINS } })
  } catch (err: any) {
    throw new InviteFormatError(`the invite is cut or mistyped: it does not decode (${String(err.message)})`)
  }
  if (msg.version !== INVITE_VERSION) throw new InviteFormatError(`invite version ${msg.version} is not supported (this version reads ${INVITE_VERSION})`)
  if (msg.secret === '') throw new InviteFormatError('the invite holds no cluster secret')
  if (msg.token.byteLength !== INVITE_TOKEN_BYTES) throw new InviteFormatError(`the invite's token is ${msg.token.byteLength} bytes, not ${INVITE_TOKEN_BYTES}`)
  if (msg.name != null && !NODE_ID_PATTERN.test(msg.name)) throw new InviteFormatError('the invite\'s node id must be 1 to 128 letters, digits and . _ : @ -')
  const issuer = peerIdOf(msg.issuer, 'issuer')
  const admins = msg.admins.map(a => peerIdOf(a, 'admin'))
  if (admins.length === 0) throw new InviteFormatError('the invite names no admin')
  const addrs = msg.addrs.map(bytes => {
    let addr
    try {
      addr = multiaddr(bytes)
    } catch {
      throw new InviteFormatError('the invite holds an address that is not a multiaddr')
    }
    if (addr.getComponents().findLast(c => c.name === 'p2p')?.value == null) throw new InviteFormatError(`the invite's address ${addr.toString()} has no /p2p/ peer ID`)
    return addr.toString()
  })
  if (addrs.length === 0) throw new InviteFormatError('the invite holds no address to reach the mesh')
  return {
    secret: msg.secret,
    issuer,
    addrs,
    admins,
    token: msg.token,
    ...(msg.name != null ? { name: msg.name } : {}),
    expiresAt: Number(msg.expiresAt)
  }
}

/** the peer ID an address ends with (`/p2p/…`) */
export function peerIdOfAddr (addr: string): string | undefined {
  return multiaddr(addr).getComponents().findLast(c => c.name === 'p2p')?.value
}
