import { constants } from 'node:fs'
import { z } from 'zod'
import { ToolError } from '../../tool/errors.js'
import { openConfined } from './confined-fs.js'
import { encodingArg, fsToolError, parseArgs, pathArg } from './builtin-tool.js'
import type { BuiltinTool } from './builtin-tool.js'

const readArgs = z.strictObject({
  path: pathArg,
  encoding: encodingArg
})

/** The most raw bytes that fit in `maxOutputBytes` once encoded */
function rawBudget (maxOutputBytes: number, encoding: 'utf8' | 'base64'): number {
  return encoding === 'base64' ? Math.floor(maxOutputBytes / 4) * 3 : maxOutputBytes
}

/** `read`: a file's content as text (or base64), cut at the output limit */
export const readTool: BuiltinTool = {
  name: 'read',
  async invoke (invocation, limits) {
    const args = parseArgs(readArgs, invocation.args, 'read')
    let file
    try {
      file = await openConfined(args.path, constants.O_RDONLY | constants.O_NONBLOCK, limits.fileRoots)
    } catch (err) {
      if (err instanceof ToolError) throw err
      throw fsToolError(err, args.path)
    }
    try {
      const stat = await file.stat()
      if (stat.isDirectory()) throw new ToolError('bad_arguments', `${args.path} is a directory; use ls`)
      if (!stat.isFile()) throw new ToolError('bad_arguments', `${args.path} is not a regular file`)
      const budget = Math.min(stat.size, rawBudget(limits.maxOutputBytes, args.encoding))
      const buffer = Buffer.allocUnsafe(budget)
      let filled = 0
      while (filled < budget) {
        invocation.signal.throwIfAborted()
        const { bytesRead } = await file.read(buffer, filled, budget - filled, filled)
        if (bytesRead === 0) break
        filled += bytesRead
      }
      const bytes = buffer.subarray(0, filled)
      return {
        ok: true,
        content: bytes.toString(args.encoding),
        details: { path: args.path, size: stat.size, bytesRead: filled, encoding: args.encoding },
        truncated: filled < stat.size
      }
    } catch (err) {
      if (err instanceof ToolError || invocation.signal.aborted) throw err
      throw fsToolError(err, args.path)
    } finally {
      await file.close()
    }
  }
}
