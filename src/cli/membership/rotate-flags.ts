import { parseSwitchTime } from '../../membership/switch-time.js'
import { UsageError } from '../errors.js'
import { terminalSafe as safe } from '../terminal-text.js'
import type { Rotation } from '../../membership/index.js'
import type { Command } from 'commander'

export interface RotateFlags {
  at?: string
  json?: boolean
}

/** the flags of `rotate-secret`, standalone and under `openclaw clawmatrix` */
export function withRotateFlags (command: Command): Command {
  return command
    .option('--at <time>', 'when every node switches: an ISO time or a delay like 30s, 5m, 2h (default: in 60 s; at most 7 days ahead)')
    .option('--json', 'print the rotation as JSON (never its secret)')
}

/** the switch time `--at` names (ms since the epoch); UsageError naming the flag */
export function switchAtOf (opts: RotateFlags): number {
  try {
    return parseSwitchTime(opts.at)
  } catch (err: any) {
    throw new UsageError(`--at: ${String(err.message)}`)
  }
}

/** what `rotate-secret` prints */
export function formatRotation (rotation: Omit<Rotation, 'secret'>, json: boolean): string {
  if (json) return JSON.stringify(rotation, null, 2) + '\n'
  const inSeconds = Math.max(0, Math.round((rotation.switchAt - Date.now()) / 1000))
  return `rotation to key generation ${rotation.generation} signed by ${safe(rotation.issuer)}: every node switches at ${new Date(rotation.switchAt).toISOString()} (in ${inSeconds} s)\n` +
    'Every connected member has it within seconds and passes it on; at the switch each reconnects on the new key.\n' +
    'A node offline until then, and every invite issued before the switch, cannot join any more: give it a new invite.\n'
}
