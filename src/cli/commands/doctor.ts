import { terminalSafe, terminalSafeJson } from '../terminal-text.js'
import type { DoctorCheck } from '../../doctor/index.js'
import type { Command } from 'commander'

function formatCheck (check: DoctorCheck): string {
  const line = `${check.status.padEnd(4)}  ${terminalSafe(check.name)}: ${terminalSafe(check.message)}`
  return check.fix != null ? `${line}\n      fix: ${terminalSafe(check.fix)}` : line
}

export function registerDoctorCommand (program: Command): void {
  program.command('doctor')
    .description('check the config, the data dir, the API port and each peer, and name what is wrong with its fix')
    .option('--json', 'print the checks as one JSON document')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      // loaded here so that client commands do not pay for importing the libp2p stack
      const { runDoctor } = await import('../../doctor/index.js')
      const report = await runDoctor({ config: cmd.optsWithGlobals().config })
      process.stdout.write(opts.json === true ? terminalSafeJson(report, 2) + '\n' : report.checks.map(formatCheck).join('\n') + '\n')
      process.exitCode = report.ok ? 0 : 1
    })
}
