import { join } from 'node:path'
import { SYNC_DIGEST_PROTOCOL, SYNC_PROTOCOL } from '../capabilities/constants.js'
import { HANDOFF_PROTOCOL } from '../handoff/constants.js'
import { MODEL_PROTOCOL } from '../model/constants.js'
import { TOOL_PROTOCOL } from '../tool/constants.js'
import { CERTIFICATES_FILE, REVOCATIONS_FILE } from './constants.js'
import type { MembershipInit } from './index.js'
import type { ClawMatrixConfig } from '../config/resolve.js'

/** the protocols a peer on probation may not use: every plane's and the state exchange */
export const GATED_PROTOCOLS = [MODEL_PROTOCOL, HANDOFF_PROTOCOL, TOOL_PROTOCOL, SYNC_PROTOCOL, SYNC_DIGEST_PROTOCOL]

/** The service settings a ClawMatrix config implies: the mode, the root admins, the file in dataDir */
export function membershipInitFromConfig (config: ClawMatrixConfig, overrides: Pick<MembershipInit, 'probationMs' | 'refusedMs'> = {}): MembershipInit {
  return {
    mode: config.membership,
    admins: config.admins ?? [],
    certificatesFile: join(config.dataDir, CERTIFICATES_FILE),
    revocationsFile: join(config.dataDir, REVOCATIONS_FILE),
    gatedProtocols: GATED_PROTOCOLS,
    ...overrides
  }
}
