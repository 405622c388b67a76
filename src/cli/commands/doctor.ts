import type { Command } from 'commander'

export function registerDoctorCommand (program: Command): void {
  program.command('doctor')
    .description('check the config, the data dir, the API port and each peer, and name what is wrong with its fix')
    .option('--json', 'print the checks as one JSON document')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      // loaded here so that client commands do not pay for importing the libp2p stack
      const { formatDoctorReport, runDoctor } = await import('../../doctor/index.js')
      const report = await runDoctor({ config: cmd.optsWithGlobals().config })
      process.stdout.write(formatDoctorReport(report, opts.json === true))
      process.exitCode = report.ok ? 0 : 1
    })
}
