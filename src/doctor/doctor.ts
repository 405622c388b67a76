import { checkConfig, checkResolvedConfig } from './config-checks.js'
import { checkApiPort, checkDataDir } from './local-checks.js'
import { checkLiveView } from './live-checks.js'
import { checkMembership } from './membership-checks.js'
import { checkPeers } from './peer-checks.js'
import type { DoctorCheck, DoctorOptions, DoctorReport } from './index.js'
import type { ClawMatrixConfig } from '../config/resolve.js'

/** Every check in order of priority; peers and the live view only when the config loads */
export async function runDoctor (options: DoctorOptions = {}): Promise<DoctorReport> {
  const checks: DoctorCheck[] = []
  const config = await checkConfig(options.config, checks)
  if (config != null) await checkNode(config, checks)
  return { ok: checks.every(c => c.status !== 'fail'), checks }
}

/** The same checks on a config resolved elsewhere (OpenClaw's plugin config); `where` names its source */
export async function runDoctorOnConfig (load: () => Promise<ClawMatrixConfig>, where: string): Promise<DoctorReport> {
  const checks: DoctorCheck[] = []
  const config = await checkResolvedConfig(load, where, checks)
  if (config != null) await checkNode(config, checks)
  return { ok: checks.every(c => c.status !== 'fail'), checks }
}

async function checkNode (config: ClawMatrixConfig, checks: DoctorCheck[]): Promise<void> {
  await checkDataDir(config, checks)
  await checkMembership(config, checks)
  const running = await checkApiPort(config, checks)
  await checkPeers(config, checks, { relay: !config.listen && running == null })
  if (running != null) await checkLiveView(running, checks)
}
