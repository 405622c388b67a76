import { ConfigError } from '../config/errors.js'
import { configPath, loadConfigFile } from '../config/load-file.js'
import type { DoctorCheck } from './index.js'
import type { ClawMatrixConfig } from '../config/resolve.js'

/** A fix for each kind of config problem `start` reports */
function fixFor (problem: string): string {
  if (problem.startsWith('config file not found')) return 'create the file (see the README\'s config section) or pass --config <file>'
  if (/is not valid JSON/.test(problem)) return 'fix the JSON syntax at the position named'
  if (/unknown field/.test(problem)) return 'remove the field or correct its spelling'
  if (problem.startsWith('secret')) return 'set "secret" to the cluster secret every node shares (16 characters or more)'
  if (problem.startsWith('proxyHost')) return 'bind proxyHost to 127.0.0.1, or set proxyAllowRemote: true'
  if (/^peers\[\d+\]/.test(problem)) return 'write peers[].url as ws://host:port or a multiaddr, and peerId as the peer\'s base58 peer ID'
  return 'change the field named to follow the rule given'
}

/** The config file, checked as `start` checks it: each problem a `fail` line with its fix */
export async function checkConfig (flag: string | undefined, checks: DoctorCheck[]): Promise<ClawMatrixConfig | undefined> {
  return await checkResolvedConfig(async () => await loadConfigFile(flag), configPath(flag), checks)
}

/** A config from any source (`where` names it), checked as the node checks it when it starts */
export async function checkResolvedConfig (load: () => Promise<ClawMatrixConfig>, where: string, checks: DoctorCheck[]): Promise<ClawMatrixConfig | undefined> {
  let config: ClawMatrixConfig
  try {
    config = await load()
  } catch (err: any) {
    if (!(err instanceof ConfigError)) throw err
    for (const problem of err.problems) checks.push({ name: 'config', status: 'fail', message: problem, fix: fixFor(problem) })
    return undefined
  }
  if (config.secret == null) {
    const problem = 'secret: required to start a node'
    checks.push({ name: 'config', status: 'fail', message: problem, fix: fixFor(problem) })
    return undefined
  }
  checks.push({ name: 'config', status: 'ok', message: `${where} is valid (node id ${config.nodeId})` })
  if (config.peers.length === 0 && !config.listen) {
    checks.push({ name: 'config', status: 'warn', message: 'no peers and listen: false: this node can reach no one', fix: 'add a listening node to "peers", or set listen: true' })
  }
  return config
}
