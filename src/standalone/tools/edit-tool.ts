import { constants } from 'node:fs'
import { z } from 'zod'
import { ToolError } from '../../tool/errors.js'
import { openConfined, writeFileConfined } from './confined-fs.js'
import { fsToolError, parseArgs, pathArg } from './builtin-tool.js'
import type { BuiltinTool } from './builtin-tool.js'
import type { FileRoots } from '../../tool/file-roots.js'

/** Files larger than this are not edited in memory */
export const MAX_EDIT_FILE_BYTES = 16 * 1024 * 1024

const editArgs = z.strictObject({
  path: pathArg,
  oldText: z.string().min(1, { error: 'must not be empty' }),
  newText: z.string()
})

function countOccurrences (text: string, part: string): number {
  let count = 0
  for (let at = text.indexOf(part); at !== -1; at = text.indexOf(part, at + part.length)) count++
  return count
}

async function readForEdit (path: string, roots?: FileRoots): Promise<{ text: string, mode: number }> {
  const file = await openConfined(path, constants.O_RDONLY | constants.O_NONBLOCK, roots)
  try {
    const stat = await file.stat()
    if (!stat.isFile()) throw new ToolError('bad_arguments', `${path} is not a regular file`)
    if (stat.size > MAX_EDIT_FILE_BYTES) throw new ToolError('bad_arguments', `${path} is ${stat.size} bytes, over the edit limit of ${MAX_EDIT_FILE_BYTES} bytes; use write`)
    return { text: await file.readFile('utf8'), mode: stat.mode & 0o7777 }
  } finally {
    await file.close()
  }
}

/** `edit`: replace the one occurrence of `oldText` with `newText` */
export const editTool: BuiltinTool = {
  name: 'edit',
  async invoke (invocation, limits) {
    const args = parseArgs(editArgs, invocation.args, 'edit')
    try {
      const { text, mode } = await readForEdit(args.path, limits.fileRoots)
      const count = countOccurrences(text, args.oldText)
      if (count === 0) throw new ToolError('failed', `oldText was not found in ${args.path}`)
      if (count > 1) throw new ToolError('failed', `oldText occurs ${count} times in ${args.path}; include more context so it occurs once`)
      const at = text.indexOf(args.oldText)
      const edited = text.slice(0, at) + args.newText + text.slice(at + args.oldText.length)
      invocation.signal.throwIfAborted()
      const data = Buffer.from(edited, 'utf8')
      await writeFileConfined(args.path, data, limits.fileRoots, mode)
      return {
        ok: true,
        content: `replaced 1 occurrence in ${args.path}`,
        details: { path: args.path, bytes: data.byteLength },
        truncated: false
      }
    } catch (err) {
      if (err instanceof ToolError || invocation.signal.aborted) throw err
      throw fsToolError(err, args.path)
    }
  }
}
