import { apiClientFromOptions } from '../api-client.js'
import { formatRotation, switchAtOf, withRotateFlags } from '../membership/rotate-flags.js'
import type { Rotation } from '../../membership/index.js'
import type { RotateFlags } from '../membership/rotate-flags.js'
import type { Command } from 'commander'

export function registerRotateSecretCommand (program: Command): void {
  withRotateFlags(program.command('rotate-secret')
    .description('on an admin: replace the cluster secret through the running node; every connected member switches at the same time'))
    .action(async (opts: RotateFlags, cmd: Command) => {
      const switchAt = switchAtOf(opts)
      const api = await apiClientFromOptions(cmd.optsWithGlobals())
      const rotation = await api.json<Omit<Rotation, 'secret'>>('POST', '/clawmatrix/membership/rotations', { admin: true, body: { switchAt } })
      process.stdout.write(formatRotation(rotation, opts.json === true))
    })
}
