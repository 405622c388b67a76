import { once } from 'node:events'
import { InvalidArgumentError } from 'commander'
import { MAX_RESULT_BYTES } from '../../handoff/constants.js'
import { apiClientFromOptions, remoteErrorFrom, reportRemoteError } from '../api-client.js'
import { readNdjson } from '../ndjson.js'
import { terminalSafe } from '../terminal-text.js'
import type { Command } from 'commander'

/** Longest NDJSON line accepted from the node: a whole result, which JSON escaping may make six times longer */
const MAX_LINE_BYTES = 6 * MAX_RESULT_BYTES + 64 * 1024

interface HandoffLine {
  type: string
  text?: string
  nodeId?: string
  code?: string
  reason?: string
  message?: string
  success?: boolean
  error?: string
}

export function parseTimeout (value: string): number {
  const ms = Number(value)
  if (!Number.isInteger(ms) || ms <= 0) throw new InvalidArgumentError('must be a positive whole number of ms')
  return ms
}

async function writeOut (text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain')
}

export function registerHandoffCommand (program: Command): void {
  program.command('handoff')
    .description('run a task on an agent of another node and print its output as it comes')
    .argument('<target>', 'agent id, tags:<tag>, node id or peer ID')
    .argument('<task>', 'the task (put -- before a task that starts with -)')
    .option('--context <text>', 'extra context for the agent')
    .option('--session <id>', 'session id for agents that keep sessions')
    .option('--timeout <ms>', 'ms of agent silence before giving up on a node (default handoffTimeout)', parseTimeout)
    .action(async (target: string, task: string, opts: { context?: string, session?: string, timeout?: number }, cmd: Command) => {
      const api = await apiClientFromOptions(cmd.optsWithGlobals())
      // Ctrl-C ends the request, and the node cancels the remote run
      const interrupted = new AbortController()
      const onInterrupt = (): void => { interrupted.abort() }
      process.once('SIGINT', onInterrupt)
      try {
        const res = await api.request('POST', '/clawmatrix/handoff', {
          admin: true,
          signal: interrupted.signal,
          body: { target, task, context: opts.context, sessionId: opts.session, timeoutMs: opts.timeout }
        })
        if (!res.ok || res.body == null) {
          const err = await remoteErrorFrom(res)
          reportRemoteError(err.code, err.message)
          return
        }
        for await (const line of readNdjson<HandoffLine>(res, { maxLineBytes: MAX_LINE_BYTES })) {
          if (line.type === 'delta') {
            await writeOut(line.text ?? '')
          } else if (line.type === 'retry') {
            process.stderr.write(`note: node "${terminalSafe(line.nodeId ?? '?')}" failed [${terminalSafe(line.code ?? '?')}]: ${terminalSafe(line.reason ?? '')}; starting over on another node\n`)
          } else if (line.type === 'result') {
            if (line.success !== true) reportRemoteError(line.code ?? 'agent_failed', line.error ?? 'the agent failed')
            return
          } else if (line.type === 'error') {
            reportRemoteError(line.code ?? 'internal', line.message ?? 'the handoff failed')
            return
          }
        }
        reportRemoteError('unreachable', 'the node ended the handoff without a result')
      } catch (err: any) {
        if (!interrupted.signal.aborted) throw err
        reportRemoteError('cancelled', 'interrupted; the remote run was cancelled')
        process.exitCode = 130
      } finally {
        process.off('SIGINT', onInterrupt)
      }
    })
}
