import { join } from 'node:path'
import { INVITES_FILE } from './invite-constants.js'
import type { InviteServiceInit } from './invite-service.js'
import type { ClawMatrixConfig } from '../config/resolve.js'

/** The invite service's settings a ClawMatrix config implies: the file in dataDir and the secret invites carry */
export function inviteServiceInitFromConfig (config: ClawMatrixConfig, running: Pick<InviteServiceInit, 'membership' | 'memberAddrs' | 'currentSecret' | 'currentKey'>): InviteServiceInit {
  return {
    invitesFile: join(config.dataDir, INVITES_FILE),
    secret: config.secret ?? '',
    ...running
  }
}
