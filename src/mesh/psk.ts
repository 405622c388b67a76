import { createHash, scrypt } from 'node:crypto'

/**
 * Cluster secret → libp2p pre-shared key. The bytes that follow the pnet nonce are a known
 * multistream header, so an observer of one connection can test guesses offline: a human
 * passphrase must go through a slow KDF. Parameters are fixed: every member derives the same key.
 */
export const PSK_KDF = {
  algorithm: 'scrypt',
  salt: 'clawmatrix/pnet/v1',
  N: 1 << 15,
  r: 8,
  p: 1,
  keyLength: 32
} as const

const KEY_FILE_HEADER = '/key/swarm/psk/1.0.0/\n/base16/\n'

/**
 * Keys derived in this process, by a hash of their secret: a node restarted in the same process
 * (a host reloading its plugin, an embedding app, a test or bench run) and several nodes sharing
 * one secret pay the slow KDF once. Concurrent derivations of one secret share one scrypt call.
 * Bounded: a process holds few secrets (the current one, a rotation's next one).
 */
const MAX_DERIVED_KEYS = 8
const derivedKeys = new Map<string, Promise<Uint8Array>>()

/** The raw 32-byte key derived from `secret` */
export async function deriveClusterKey (secret: string): Promise<Uint8Array> {
  const normalized = secret.normalize('NFC')
  const id = createHash('sha256').update(normalized).digest('base64')
  let key = derivedKeys.get(id)
  if (key != null) {
    derivedKeys.delete(id)
  } else {
    key = runScrypt(normalized)
    key.catch(() => { if (derivedKeys.get(id) === key) derivedKeys.delete(id) })
  }
  derivedKeys.set(id, key)
  if (derivedKeys.size > MAX_DERIVED_KEYS) derivedKeys.delete(derivedKeys.keys().next().value!)
  return new Uint8Array(await key)
}

async function runScrypt (secret: string): Promise<Uint8Array> {
  const { salt, N, r, p, keyLength } = PSK_KDF
  return await new Promise((resolve, reject) => {
    scrypt(secret, salt, keyLength, { N, r, p, maxmem: 256 * N * r }, (err, key) => {
      if (err != null) reject(err)
      else resolve(new Uint8Array(key))
    })
  })
}

/** The key in libp2p's PSK file format, ready for `meshPreSharedKey({ psk })` (or `@libp2p/pnet`'s `preSharedKey`) */
export async function pskFromSecret (secret: string): Promise<Uint8Array> {
  const key = await deriveClusterKey(secret)
  return new TextEncoder().encode(KEY_FILE_HEADER + Buffer.from(key).toString('hex'))
}
