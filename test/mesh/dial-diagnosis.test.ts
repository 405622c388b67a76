import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { classifyDialError, explainDialError } from '../../src/mesh/dial-diagnosis.js'

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const direct = multiaddr(`/ip4/127.0.0.1/tcp/9100/ws/p2p/${PEER}`)
const relayed = multiaddr(`/ip4/127.0.0.1/tcp/9100/ws/p2p/${PEER}/p2p-circuit/p2p/12D3KooWH3uVF6wv47WnArKHk5p6cvgCJEb74UTmxztmQDc298L3`)

/** the shape libp2p gives a dial whose Noise handshake ended early: an aggregate around the cause */
function handshakeEnded (): Error {
  const cause = Object.assign(new Error('unexpected end of input'), { name: 'EncryptionFailedError' })
  return Object.assign(new AggregateError([cause], 'All multiaddr dials failed'), { name: 'AggregateError' })
}

describe('why a dial failed', () => {
  it('names the cluster secret for a handshake that ends on a direct connection', () => {
    expect(classifyDialError(handshakeEnded())).toBe('secret')
    expect(explainDialError(handshakeEnded(), [direct])).toMatch(/the cluster secret likely differs/)
    expect(explainDialError(handshakeEnded())).toMatch(/the cluster secret likely differs/)
  })

  it('does not blame the secret when every address went through a relay, whose connection already passed it', () => {
    const reason = explainDialError(handshakeEnded(), [relayed])
    expect(reason).toMatch(/EncryptionFailedError: unexpected end of input \(the handshake through the relay did not complete/)
    expect(reason).toMatch(/the cluster secret is not the cause/)
    expect(explainDialError(handshakeEnded(), [relayed, direct])).toMatch(/the cluster secret likely differs/)
  })
})
