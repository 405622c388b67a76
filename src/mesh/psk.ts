import { scrypt } from 'node:crypto'

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

/** The raw 32-byte key derived from `secret` */
export async function deriveClusterKey (secret: string): Promise<Uint8Array> {
  const { salt, N, r, p, keyLength } = PSK_KDF
  return await new Promise((resolve, reject) => {
    scrypt(secret.normalize('NFC'), salt, keyLength, { N, r, p, maxmem: 256 * N * r }, (err, key) => {
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
