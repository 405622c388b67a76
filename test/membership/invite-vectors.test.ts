import { readFile } from 'node:fs/promises'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { RedeemRequest, RedeemResponse } from '../../protocols/invite.js'
import { encodeInvite, parseInvite } from '../../src/membership/invite.js'
import { publishedVectors } from '../helpers/protocol-vectors.js'
import type { Invite } from '../../src/membership/invite.js'

function framed (bytes: Uint8Array): string {
  expect(bytes.length).toBeLessThan(128)
  return Buffer.concat([Buffer.from([bytes.length]), bytes]).toString('hex')
}

describe('invite and redeem test vectors', async () => {
  const admin = peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(7))).toString()
  const invite: Invite = {
    secret: 'example-cluster-secret',
    issuer: admin,
    addrs: [`/ip4/192.0.2.1/tcp/4001/ws/p2p/${admin}`],
    admins: [admin],
    token: new Uint8Array(32).fill(9),
    name: 'laptop',
    expiresAt: 1764286400000
  }
  const vectors = await publishedVectors('/clawmatrix/membership-redeem/1.0.0')
  const doc = await readFile(new URL('../../protocols/PROTOCOL.md', import.meta.url), 'utf8')

  it('publishes the invite, a request and a refusal', () => {
    expect([...vectors.keys()].sort()).toEqual(['invite', 'refusal', 'request'])
  })

  it('encodes the invite to the published string and bytes, and parses them back', () => {
    const text = encodeInvite(invite)
    expect(doc).toContain('\n' + text + '\n')
    expect(Buffer.from(text.slice('cm-invite:'.length), 'base64url').toString('hex')).toBe(vectors.get('invite'))
    expect(parseInvite(text)).toEqual({ ...invite, token: expect.any(Uint8Array) })
    expect(Buffer.from(parseInvite(text).token)).toEqual(Buffer.from(invite.token))
  })

  it('frames a redeem request and a refusal as published', () => {
    expect(framed(RedeemRequest.encode({ token: new Uint8Array(32).fill(9), nodeId: 'laptop' }))).toBe(vectors.get('request'))
    expect(framed(RedeemResponse.encode({ certificates: [], addrs: [], code: 'invite_used', message: 'this invite has been used already' }))).toBe(vectors.get('refusal'))
  })

  it('names what is wrong with a malformed invite', () => {
    const text = encodeInvite(invite)
    expect(() => parseInvite('hello')).toThrow(/not an invite: an invite starts with "cm-invite:"/)
    expect(() => parseInvite(text.slice(0, 60))).toThrow(/the invite is cut or mistyped: it does not decode/)
    expect(() => parseInvite(text + '!')).toThrow(/only base64url characters/)
    expect(() => parseInvite(encodeInvite({ ...invite, token: new Uint8Array(16) }))).toThrow(/token is 16 bytes, not 32/)
    expect(() => parseInvite(encodeInvite({ ...invite, addrs: ['/ip4/192.0.2.1/tcp/4001/ws'] }))).toThrow(/has no \/p2p\/ peer ID/)
    expect(() => parseInvite(encodeInvite({ ...invite, addrs: [] }))).toThrow(/holds no address/)
  })
})
