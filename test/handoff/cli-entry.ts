/**
 * `clawmatrix` with the handoff and send commands, run from source in a child process (see
 * cli.test.ts). Uses the real program and error reporting once src/cli/main.ts registers them.
 */
import { registerHandoffCommand } from '../../src/cli/commands/handoff.js'
import { registerSendCommand } from '../../src/cli/commands/send.js'
import { RemoteError } from '../../src/cli/errors.js'
import { buildProgram } from '../../src/cli/main.js'

const program = buildProgram()
if (!program.commands.some(c => c.name() === 'handoff')) registerHandoffCommand(program)
if (!program.commands.some(c => c.name() === 'send')) registerSendCommand(program)
try {
  await program.parseAsync(process.argv)
} catch (err: any) {
  process.stderr.write(err instanceof RemoteError ? `error [${err.code}]: ${err.message}\n` : `error: ${String(err?.message ?? err)}\n`)
  process.exitCode = err instanceof RemoteError ? 1 : 2
}
