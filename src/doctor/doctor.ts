import { checkConfig } from './config-checks.js'
import { checkApiPort, checkDataDir } from './local-checks.js'
import { checkLiveView } from './live-checks.js'
import { checkPeers } from './peer-checks.js'
import type { DoctorCheck, DoctorOptions, DoctorReport } from './index.js'

/** Every check in order of priority; peers and the live view only when the config loads */
export async function runDoctor (options: DoctorOptions = {}): Promise<DoctorReport> {
  const checks: DoctorCheck[] = []
  const config = await checkConfig(options.config, checks)
  if (config != null) {
    await checkDataDir(config, checks)
    const running = await checkApiPort(config, checks)
    await checkPeers(config, checks, { relay: !config.listen && running == null })
    if (running != null) await checkLiveView(running, checks)
  }
  return { ok: checks.every(c => c.status !== 'fail'), checks }
}
