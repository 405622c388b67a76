import { Command, CommanderError } from 'commander'
import { ConfigError } from '../config/errors.js'
import { VERSION } from '../version.js'
import { NodeUnreachableError, RemoteError, UsageError } from './errors.js'
import { terminalSafe } from './terminal-text.js'
import { registerCertifyCommand } from './commands/certify.js'
import { registerChatCommand } from './commands/chat.js'
import { registerDemoCommand } from './commands/demo.js'
import { registerDoctorCommand } from './commands/doctor.js'
import { registerExecCommand } from './commands/exec.js'
import { registerHandoffCommand } from './commands/handoff.js'
import { registerSendCommand } from './commands/send.js'
import { registerIdCommand } from './commands/id.js'
import { registerInitCommand } from './commands/init.js'
import { registerInviteCommand } from './commands/invite.js'
import { registerJoinCommand } from './commands/join.js'
import { registerMembersCommand } from './commands/members.js'
import { registerReadCommand } from './commands/read.js'
import { registerRevokeCommand } from './commands/revoke.js'
import { registerRotateSecretCommand } from './commands/rotate-secret.js'
import { registerStartCommand } from './commands/start.js'
import { registerPeersCommand, registerStatusCommand } from './commands/status.js'
import { registerToolCommand } from './commands/tool.js'
import { registerWriteCommand } from './commands/write.js'

export function buildProgram (): Command {
  const program = new Command('clawmatrix')
    .description('a private libp2p mesh of AI gateways')
    .version(VERSION)
    .option('-c, --config <file>', 'config file (default $CLAWMATRIX_CONFIG, else ~/.clawmatrix/config.json)')
    .showHelpAfterError()
    .exitOverride()
  for (const register of [registerChatCommand, registerStartCommand, registerStatusCommand, registerPeersCommand, registerIdCommand, registerHandoffCommand, registerSendCommand,
    registerExecCommand, registerReadCommand, registerWriteCommand, registerToolCommand, registerDemoCommand, registerDoctorCommand,
    registerInitCommand, registerCertifyCommand, registerMembersCommand, registerInviteCommand, registerJoinCommand,
    registerRevokeCommand, registerRotateSecretCommand]) {
    register(program)
  }
  return program
}

/** Run the CLI; exit codes: 0 ok, 1 remote error or node unreachable, 2 bad flags or config */
export async function main (argv: string[]): Promise<void> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
  } catch (err: any) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2
    } else if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`)
      process.exitCode = 2
    } else if (err instanceof RemoteError) {
      process.stderr.write(`error [${terminalSafe(err.code)}]: ${terminalSafe(err.message)}\n`)
      process.exitCode = 1
    } else if (err instanceof NodeUnreachableError) {
      process.stderr.write(`${err.message}\n`)
      process.exitCode = 1
    } else {
      process.stderr.write(`error: ${terminalSafe(String(err?.message ?? err))}\n`)
      process.exitCode = 1
    }
  }
}
