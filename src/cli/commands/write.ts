import { UsageError } from '../errors.js'
import { callToolThroughNode } from '../tool-call.js'
import { terminalSafe } from '../terminal-text.js'
import { MAX_REQUEST_BYTES } from '../../tool/constants.js'
import type { Command } from 'commander'

/** What fits in one request once base64-encoded, with room for the other fields */
const MAX_CONTENT_BYTES = Math.floor((MAX_REQUEST_BYTES - 64 * 1024) / 4) * 3

async function readStdin (limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).byteLength
    if (size > limit) throw new UsageError(`stdin is over ${limit} bytes, the most one write carries`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

function isUtf8 (bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}

export function registerWriteCommand (program: Command): void {
  program.command('write')
    .description('write stdin to a file of another node (within its toolProxy.roots)')
    .argument('<node>', 'node id, peer ID or tags:<tag>')
    .argument('<path>', 'the file on that node; relative paths start at its first root')
    .action(async (node: string, path: string, _opts: unknown, cmd: Command) => {
      const content = await readStdin(MAX_CONTENT_BYTES)
      // text travels as text; other bytes as base64, so they arrive unchanged
      const args = isUtf8(content)
        ? { path, content: content.toString('utf8') }
        : { path, content: content.toString('base64'), encoding: 'base64' }
      const result = await callToolThroughNode(cmd, { node, tool: 'write', args })
      if (result != null) process.stdout.write(`${terminalSafe(result.content)}\n`)
    })
}
