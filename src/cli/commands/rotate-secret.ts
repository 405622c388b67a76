import { parseSwitchTime } from '../../membership/switch-time.js'
import { apiClientFromOptions } from '../api-client.js'
import { UsageError } from '../errors.js'
import { terminalSafe as safe } from '../terminal-text.js'
import type { Rotation } from '../../membership/index.js'
import type { Command } from 'commander'

interface RotateOptions {
  at?: string
  json?: boolean
}

export function registerRotateSecretCommand (program: Command): void {
  program.command('rotate-secret')
    .description('on an admin: replace the cluster secret through the running node; every connected member switches at the same time')
    .option('--at <time>', 'when every node switches: an ISO time or a delay like 30s, 5m, 2h (default: in 60 s; at most 7 days ahead)')
    .option('--json', 'print the rotation as JSON (never its secret)')
    .action(async (opts: RotateOptions, cmd: Command) => {
      let switchAt: number
      try {
        switchAt = parseSwitchTime(opts.at)
      } catch (err: any) {
        throw new UsageError(`--at: ${String(err.message)}`)
      }
      const api = await apiClientFromOptions(cmd.optsWithGlobals())
      const rotation = await api.json<Omit<Rotation, 'secret'>>('POST', '/clawmatrix/membership/rotations', { admin: true, body: { switchAt } })
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(rotation, null, 2) + '\n')
        return
      }
      const inSeconds = Math.max(0, Math.round((rotation.switchAt - Date.now()) / 1000))
      process.stdout.write(`rotation to key generation ${rotation.generation} signed by ${safe(rotation.issuer)}: every node switches at ${new Date(rotation.switchAt).toISOString()} (in ${inSeconds} s)\n` +
        'Every connected member has it within seconds and passes it on; at the switch each reconnects on the new key.\n' +
        'A node offline until then, and every invite issued before the switch, cannot join any more: give it a new invite.\n')
    })
}
