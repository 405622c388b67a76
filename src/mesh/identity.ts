import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'

export const IDENTITY_FILE = 'identity.key'

/** Load the node's Ed25519 key from `dataDir`, creating it (mode 0600) on first start */
export async function loadOrCreateIdentity (dataDir: string): Promise<PrivateKey> {
  const file = join(dataDir, IDENTITY_FILE)
  try {
    const key = privateKeyFromProtobuf(await readFile(file))
    await chmod(file, 0o600)
    return key
  } catch (err: any) {
    if (err.code !== 'ENOENT') throw new Error(`cannot read the identity in ${file}: ${String(err.message)}`)
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const key = await generateKeyPair('Ed25519')
  await writeFile(file, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' })
  return key
}
