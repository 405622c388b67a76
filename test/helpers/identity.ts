import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadOrCreateIdentity } from '../../src/mesh/identity.js'

/** a fresh data dir holding a node identity, and that identity's peer ID (known before the node starts) */
export async function identityIn (): Promise<{ dataDir: string, peerId: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cm-id-'))
  return { dataDir, peerId: peerIdFromPrivateKey(await loadOrCreateIdentity(dataDir)).toString() }
}
