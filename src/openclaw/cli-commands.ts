import { formatStatus } from '../cli/format-status.js'
import { askGateway } from './cli-gateway.js'
import { registerMembershipCommands } from './cli-membership.js'
import { registerMeshSetupCommands } from './cli-mesh-setup.js'
import { CLI_COMMAND, CLI_DESCRIPTION, CONFIG_PATH, PEERS_METHOD, STATUS_METHOD } from './constants.js'
import { pluginConfigOf, resolvePluginConfig } from './plugin-config.js'
import { openClawStateDir } from './sdk.js'
import type { OpenClawPluginApi } from './openclaw-api.js'
import type { NodeStatus } from '../node/status.js'

/**
 * `openclaw clawmatrix status|peers|invite|revoke|members`: run in the CLI process (no services
 * there), so they ask the running gateway and print what the standalone commands print. `doctor`
 * runs the standalone doctor's checks on the plugin's config, the node's API port and its live
 * view; `init` and `join` write the plugin's config through OpenClaw's config writer.
 */
export function registerCliCommands (api: OpenClawPluginApi): void {
  api.registerCli(({ program, config }) => {
    const root = program.command(CLI_COMMAND).description(CLI_DESCRIPTION)
    root.command('status')
      .description('show this gateway\'s node, its peers and how each is reached')
      .option('--json', 'print the status as one JSON document')
      .action(async (opts: { json?: boolean }) => {
        const status = await askGateway(STATUS_METHOD) as NodeStatus | undefined
        if (status == null) return
        process.stdout.write(opts.json === true ? JSON.stringify(status, null, 2) + '\n' : formatStatus(status))
      })
    root.command('peers')
      .description('print the peer list as JSON')
      .action(async () => {
        const peers = await askGateway(PEERS_METHOD)
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
    registerMeshSetupCommands(root, () => pluginConfigOf(config, api.pluginConfig))
    registerMembershipCommands(root)
  }, { descriptors: [{ name: CLI_COMMAND, description: CLI_DESCRIPTION, hasSubcommands: true }] })
}
