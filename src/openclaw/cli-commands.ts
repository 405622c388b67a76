import { formatStatus } from '../cli/format-status.js'
import { CLI_COMMAND, CLI_DESCRIPTION, CLI_GATEWAY_TIMEOUT_MS, CONFIG_PATH, GATEWAY_UNREACHABLE_MESSAGE, PEERS_METHOD, STATUS_METHOD } from './constants.js'
import { isNotRunning } from './gateway-methods.js'
import { pluginConfigOf, resolvePluginConfig } from './plugin-config.js'
import { callGateway, isGatewayUnreachable, openClawStateDir } from './sdk.js'
import type { OpenClawPluginApi } from './openclaw-api.js'
import type { NodeStatus } from '../node/status.js'

/** The gateway's answer, or undefined after saying why there is none (exit code 1) */
async function ask (method: string): Promise<unknown> {
  let payload: unknown
  try {
    payload = await callGateway(method, {}, { json: true, timeout: String(CLI_GATEWAY_TIMEOUT_MS) })
  } catch (err: any) {
    process.exitCode = 1
    if (await isGatewayUnreachable(err)) process.stdout.write(GATEWAY_UNREACHABLE_MESSAGE + '\n')
    else process.stderr.write(`error: ${String(err?.message ?? err)}\n`)
    return undefined
  }
  if (isNotRunning(payload)) {
    process.exitCode = 1
    process.stdout.write(`ClawMatrix is not running on this gateway (${payload.phase}): ${payload.reason}\n`)
    return undefined
  }
  return payload
}

/**
 * `openclaw clawmatrix status|peers`: run in the CLI process (no services there), so they ask the
 * running gateway and print what the standalone `clawmatrix status|peers` print. `doctor` runs the
 * standalone doctor's checks on the plugin's config, the node's API port and its live view.
 */
export function registerCliCommands (api: OpenClawPluginApi): void {
  api.registerCli(({ program, config }) => {
    const root = program.command(CLI_COMMAND).description(CLI_DESCRIPTION)
    root.command('status')
      .description('show this gateway\'s node, its peers and how each is reached')
      .option('--json', 'print the status as one JSON document')
      .action(async (opts: { json?: boolean }) => {
        const status = await ask(STATUS_METHOD) as NodeStatus | undefined
        if (status == null) return
        process.stdout.write(opts.json === true ? JSON.stringify(status, null, 2) + '\n' : formatStatus(status))
      })
    root.command('peers')
      .description('print the peer list as JSON')
      .action(async () => {
        const peers = await ask(PEERS_METHOD)
        if (peers == null) return
        process.stdout.write(JSON.stringify(peers, null, 2) + '\n')
      })
    root.command('doctor')
      .description('check this gateway\'s ClawMatrix config, data dir, API port and each peer, and name what is wrong with its fix')
      .option('--json', 'print the checks as one JSON document')
      .action(async (opts: { json?: boolean }) => {
        const { formatDoctorReport, runDoctorOnConfig } = await import('../doctor/index.js')
        const stateDir = await openClawStateDir()
        const report = await runDoctorOnConfig(async () => resolvePluginConfig(pluginConfigOf(config, api.pluginConfig), stateDir), CONFIG_PATH)
        process.stdout.write(formatDoctorReport(report, opts.json === true))
        process.exitCode = report.ok ? 0 : 1
      })
  }, { descriptors: [{ name: CLI_COMMAND, description: CLI_DESCRIPTION, hasSubcommands: true }] })
}
