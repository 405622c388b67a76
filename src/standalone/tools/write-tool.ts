import { constants } from 'node:fs'
import { mkdir, open } from 'node:fs/promises'
import { dirname } from 'node:path'
import { z } from 'zod'
import { encodingArg, pathArg } from './file-args.js'
import { fsToolError } from './fs-errors.js'
import { parseArgs } from './parse-args.js'
import type { BuiltinTool } from './builtin-tool.js'

const writeArgs = z.strictObject({
  path: pathArg,
  content: z.string(),
  encoding: encodingArg
})

/** Replace (or create) a file without following a symbolic link at its name */
export async function writeFileNoFollow (path: string, data: Uint8Array, mode = 0o644): Promise<void> {
  const file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW | constants.O_NONBLOCK, mode)
  try {
    await file.writeFile(data)
  } finally {
    await file.close()
  }
}

/** `write`: a file's whole content, parent directories created */
export const writeTool: BuiltinTool = {
  name: 'write',
  async invoke (invocation) {
    const args = parseArgs(writeArgs, invocation.args, 'write')
    const data = Buffer.from(args.content, args.encoding)
    try {
      await mkdir(dirname(args.path), { recursive: true })
      invocation.signal.throwIfAborted()
      await writeFileNoFollow(args.path, data)
    } catch (err) {
      if (invocation.signal.aborted) throw err
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
