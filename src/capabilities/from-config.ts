import { join } from 'node:path'
import { parsePeerAddress } from '../mesh/peer-address.js'
import { SEQ_FILE } from './constants.js'
import type { CapabilitiesInit } from './index.js'
import type { ClawMatrixConfig } from '../config/resolve.js'

/**
 * The service settings a ClawMatrix config implies: `members`, the pinned peers of `peers[]` as
 * trusted signers, and the seq file in the node's dataDir. `local` and the timings come from the
 * node. A dial-out node's record names only its relayed addresses: the TCP listener it may have
 * for direct paths is on a private network, told to LAN peers by mDNS, not to members elsewhere.
 */
export function capabilitiesInitFromConfig (config: ClawMatrixConfig, init: Pick<CapabilitiesInit, 'local' | 'announceIntervalMs' | 'recordTtlMs' | 'admitRecord'>): CapabilitiesInit {
  return {
    local: init.local,
    ...(config.members != null ? { members: config.members } : {}),
    trusted: config.peers.flatMap(p => p.peerId ?? parsePeerAddress(p.url).peerId ?? []),
    seqFile: join(config.dataDir, SEQ_FILE),
    ...(!config.listen ? { announceable: (addr: string) => addr.includes('/p2p-circuit') } : {}),
    ...(init.announceIntervalMs != null ? { announceIntervalMs: init.announceIntervalMs } : {}),
    ...(init.recordTtlMs != null ? { recordTtlMs: init.recordTtlMs } : {}),
    ...(init.admitRecord != null ? { admitRecord: init.admitRecord } : {})
  }
}
