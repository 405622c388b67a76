import { InvalidArgumentError } from 'commander'
import { callToolThroughNode, noteTruncation, writeTo } from '../tool-call.js'
import { terminalSafeJson } from '../terminal-text.js'
import type { Command } from 'commander'

function parseArgsJson (value: string): Record<string, unknown> {
  let args: unknown
  try {
    args = JSON.parse(value)
  } catch (err: any) {
    throw new InvalidArgumentError(`not valid JSON: ${String(err.message)}`)
  }
  if (args == null || typeof args !== 'object' || Array.isArray(args)) throw new InvalidArgumentError('must be a JSON object')
  return args as Record<string, unknown>
}

function parseMs (value: string): number {
  const ms = Number(value)
  if (!Number.isInteger(ms) || ms <= 0) throw new InvalidArgumentError('must be a positive whole number of ms')
  return ms
}

export function registerToolCommand (program: Command): void {
  program.command('tool')
    .description('call any tool another node offers; prints its text content (exit 1 when it says not ok)')
    .argument('<node>', 'node id, peer ID or tags:<tag>')
    .argument('<tool>', 'the tool\'s name')
    .argument('[args]', 'the tool\'s arguments as a JSON object', parseArgsJson, {})
    .option('--timeout <ms>', 'how long to wait (default 120000; exec: its timeout argument)', parseMs)
    .option('--json', 'print the whole result (ok, content, details, truncated) as JSON')
    .action(async (node: string, tool: string, args: Record<string, unknown>, opts: { timeout?: number, json?: boolean }, cmd: Command) => {
      const result = await callToolThroughNode(cmd, { node, tool, args, ...(opts.timeout != null ? { timeoutMs: opts.timeout } : {}) })
      if (result == null) return
      if (opts.json === true) {
        await writeTo(process.stdout, terminalSafeJson(result, 2) + '\n')
      } else if (result.content !== '') {
        await writeTo(process.stdout, result.content.endsWith('\n') ? result.content : `${result.content}\n`)
      }
      noteTruncation(result)
      if (!result.ok) process.exitCode = 1
    })
}
