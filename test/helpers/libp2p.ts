import { createLibp2p } from 'libp2p'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { pskFromSecret } from '../../src/mesh/psk.js'
import { meshBaseServices, meshLibp2pOptions } from '../../src/mesh/libp2p-options.js'
import type { Libp2p, ServiceMap } from '@libp2p/interface'

const pskCache = new Map<string, Promise<Uint8Array>>()

/** The PSK for a test secret, derived once per process (scrypt is deliberately slow) */
export async function testPsk (secret = 'test-secret-0123456789'): Promise<Uint8Array> {
  let psk = pskCache.get(secret)
  if (psk == null) {
    psk = pskFromSecret(secret)
    pskCache.set(secret, psk)
  }
  return await psk
}

export interface TestLibp2pInit<S extends ServiceMap> {
  listen?: boolean
  secret?: string
  members?: string[]
  services?: S
}

/**
 * A real libp2p node with the mesh stack (ws, pnet, noise, yamux, relay) on 127.0.0.1 and a
 * free port, plus the given services.
 */
export async function startTestLibp2p<S extends ServiceMap = ServiceMap> (init: TestLibp2pInit<S> = {}): Promise<Libp2p<S & ServiceMap>> {
  const listen = init.listen ?? true
  const options = meshLibp2pOptions({
    privateKey: await generateKeyPair('Ed25519'),
    psk: await testPsk(init.secret),
    listen,
    listenHost: '127.0.0.1',
    listenPort: 0,
    ...(init.members != null ? { members: init.members } : {})
  }, { ...meshBaseServices({ listen }), ...(init.services ?? {}) } as S & ServiceMap)
  return await createLibp2p(options)
}
