import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { CertificateBatch } from '../../protocols/membership.js'
import { encodeCertificate, openCertificate, sealCertificate } from '../../src/membership/certificate.js'
import { encodeRevocation, openRevocation, sealRevocation } from '../../src/membership/revocation.js'
import { encodeRotation, openRotation, sealRotation } from '../../src/membership/rotation.js'
import { keyFingerprint } from '../../src/mesh/cluster-key.js'
import { deriveClusterKey } from '../../src/mesh/psk.js'
import { publishedVectors } from '../helpers/protocol-vectors.js'
import type { Certificate } from '../../src/membership/certificate.js'
import type { Revocation } from '../../src/membership/revocation.js'
import type { Rotation } from '../../src/membership/rotation.js'

describe('membership certificate test vectors', async () => {
  // the admin key of the capability record vectors (seed 07 07 … 07), a member from seed 08 08 … 08
  const admin = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(7))
  const member = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(8))
  const certificate: Certificate = {
    subject: peerIdFromPrivateKey(member).toString(),
    nodeId: 'laptop',
    roles: ['admin'],
    issuedAt: 1764200000000,
    expiresAt: 1766792000000,
    issuer: peerIdFromPrivateKey(admin).toString()
  }
  const vectors = await publishedVectors('/clawmatrix/membership/1.0.0')

  it('publishes the payload, the envelope, an exchange request and a revocation', () => {
    expect([...vectors.keys()].sort()).toEqual(['envelope', 'payload', 'previous fingerprint', 'request', 'revocation envelope', 'revocation payload', 'rotation envelope', 'rotation payload'])
    expect(certificate.subject).toBe('12D3KooWB8sCGZCrwr79HtabLAn95qyPQx6RYHXjEbiD6QKou7ww')
  })

  it('encodes and signs to the published bytes, and opens them back', async () => {
    expect(Buffer.from(encodeCertificate(certificate)).toString('hex')).toBe(vectors.get('payload'))
    const envelope = await sealCertificate(certificate, admin)
    expect(Buffer.from(envelope).toString('hex')).toBe(vectors.get('envelope'))
    expect((await openCertificate(Buffer.from(vectors.get('envelope') ?? '', 'hex'))).certificate).toEqual(certificate)
  })

  it('frames an exchange request asking for the member\'s certificate as published', () => {
    const request = CertificateBatch.encode({ certificates: [], wanted: [peerIdFromPrivateKey(member).toMultihash().bytes] })
    expect(request.length).toBeLessThan(128)
    expect(Buffer.concat([Buffer.from([request.length]), request]).toString('hex')).toBe(vectors.get('request'))
  })

  it('encodes and signs a revocation to the published bytes, and opens it back', async () => {
    const revocation: Revocation = { subject: certificate.subject, issuer: certificate.issuer, revokedAt: 1764300000000, reason: 'laptop lost' }
    expect(Buffer.from(encodeRevocation(revocation)).toString('hex')).toBe(vectors.get('revocation payload'))
    expect(Buffer.from(await sealRevocation(revocation, admin)).toString('hex')).toBe(vectors.get('revocation envelope'))
    expect((await openRevocation(Buffer.from(vectors.get('revocation envelope') ?? '', 'hex'))).revocation).toEqual(revocation)
    // the payload type in the envelope is the bytes of /cm/revoke
    expect(vectors.get('revocation envelope')).toContain(Buffer.from('/cm/revoke').toString('hex'))
  })

  it('encodes and signs a secret rotation to the published bytes, and opens it back', async () => {
    // the key it replaces is the one of the first secret of §1.1
    const previous = Buffer.from(keyFingerprint(await deriveClusterKey('correct horse battery staple'))).toString('hex')
    expect(previous).toBe(vectors.get('previous fingerprint'))
    const rotation: Rotation = {
      secret: Buffer.alloc(32, 9).toString('base64url'),
      previous,
      switchAt: 1764400060000,
      issuedAt: 1764400000000,
      issuer: certificate.issuer,
      generation: 1
    }
    expect(Buffer.from(encodeRotation(rotation)).toString('hex')).toBe(vectors.get('rotation payload'))
    expect(Buffer.from(await sealRotation(rotation, admin)).toString('hex')).toBe(vectors.get('rotation envelope'))
    expect((await openRotation(Buffer.from(vectors.get('rotation envelope') ?? '', 'hex'))).rotation).toEqual(rotation)
    expect(vectors.get('rotation envelope')).toContain(Buffer.from('/cm/rotate').toString('hex'))
  })
})
