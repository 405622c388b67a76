import { z } from 'zod'
import { ToolError } from '../../tool/errors.js'
import { openDirConfined } from './confined-fs.js'
import { fsToolError, parseArgs, pathArg } from './builtin-tool.js'
import type { BuiltinTool } from './builtin-tool.js'

/** Directories with more entries are listed in part */
export const MAX_LS_ENTRIES = 10_000

const lsArgs = z.strictObject({
  path: pathArg
})

/** `ls`: a directory's entries, one a line, directories marked with a trailing `/` */
export const lsTool: BuiltinTool = {
  name: 'ls',
  async invoke (invocation, limits) {
    const args = parseArgs(lsArgs, invocation.args, 'ls')
    const names: string[] = []
    let truncated = false
    try {
      const { dir, handle } = await openDirConfined(args.path, limits.fileRoots)
      try {
        for await (const entry of dir) {
          if (names.length === MAX_LS_ENTRIES) {
            truncated = true
            break
          }
          names.push(entry.isDirectory() ? `${entry.name}/` : entry.name)
        }
      } finally {
        await handle.close()
      }
    } catch (err) {
      if (err instanceof ToolError) throw err
      throw fsToolError(err, args.path)
    }
    names.sort()
    return {
      ok: true,
      content: names.join('\n'),
      details: { path: args.path, entries: names.length },
      truncated
    }
  }
}
