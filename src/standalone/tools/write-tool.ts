import { dirname } from 'node:path'
import { z } from 'zod'
import { ToolError } from '../../tool/errors.js'
import { makeDirectoriesConfined, writeFileConfined } from './confined-fs.js'
import { encodingArg, fsToolError, parseArgs, pathArg } from './builtin-tool.js'
import type { BuiltinTool } from './builtin-tool.js'

const writeArgs = z.strictObject({
  path: pathArg,
  content: z.string(),
  encoding: encodingArg
})

/** `write`: a file's whole content, parent directories created */
export const writeTool: BuiltinTool = {
  name: 'write',
  async invoke (invocation, limits) {
    const args = parseArgs(writeArgs, invocation.args, 'write')
    const data = Buffer.from(args.content, args.encoding)
    try {
      await makeDirectoriesConfined(dirname(args.path), limits.fileRoots)
      invocation.signal.throwIfAborted()
      await writeFileConfined(args.path, data, limits.fileRoots)
    } catch (err) {
      if (err instanceof ToolError || invocation.signal.aborted) throw err
      throw fsToolError(err, args.path)
    }
    return {
      ok: true,
      content: `wrote ${data.byteLength} bytes to ${args.path}`,
      details: { path: args.path, bytes: data.byteLength },
      truncated: false
    }
  }
}
