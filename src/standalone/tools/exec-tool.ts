import { stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { z } from 'zod'
import { DEFAULT_EXEC_TIMEOUT_S } from '../../tool/constants.js'
import { ToolError } from '../../tool/errors.js'
import { spawnScoped } from '../process-scope/index.js'
import { HeadBuffer, TailBuffer } from './bounded-buffers.js'
import { parseArgs } from './builtin-tool.js'
import type { BuiltinTool } from './builtin-tool.js'
import type { ToolInvocation } from '../../host/ports.js'

/** How much of stderr's end the result repeats */
export const STDERR_TAIL_BYTES = 8192

const execArgs = z.strictObject({
  command: z.string().min(1, { error: 'must not be empty' }),
  workdir: z.string().min(1, { error: 'must not be empty' }).optional(),
  timeout: z.number({ error: 'must be a number of seconds' }).positive({ error: 'must be greater than 0' }).optional()
})

async function checkWorkdir (workdir: string): Promise<void> {
  const info = await stat(workdir).catch(() => null)
  if (info == null) throw new ToolError('bad_arguments', `bad arguments for exec: workdir: ${workdir} does not exist`)
  if (!info.isDirectory()) throw new ToolError('bad_arguments', `bad arguments for exec: workdir: ${workdir} is not a directory`)
}

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

/**
 * `exec`: a shell command (`/bin/sh -c`) in a process scope of its own (see spawnScoped).
 * stdout and stderr are streamed through `onOutput` (or collected when there is none); the
 * whole scope is killed on timeout or when the call is aborted, and what the command leaves
 * running when it ends is killed then.
 */
export const execTool: BuiltinTool = {
  name: 'exec',
  async invoke (invocation: ToolInvocation, limits) {
    const args = parseArgs(execArgs, invocation.args, 'exec')
    const workdir = args.workdir ?? homedir()
    await checkWorkdir(workdir)
    const timeoutMs = Math.min((args.timeout ?? DEFAULT_EXEC_TIMEOUT_S) * 1000, invocation.timeoutMs)
    invocation.signal.throwIfAborted()

    const collected = new HeadBuffer(limits.maxOutputBytes)
    const stderrTail = new TailBuffer(STDERR_TAIL_BYTES)
    const emit = invocation.onOutput ?? ((chunk: Uint8Array) => { collected.append(chunk) })
    const { child, scope } = await spawnScoped('/bin/sh', ['-c', args.command], { cwd: workdir, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout?.on('data', (chunk: Buffer) => { emit(chunk, 'stdout') })
    child.stderr?.on('data', (chunk: Buffer) => {
      stderrTail.append(chunk)
      emit(chunk, 'stderr')
    })

    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      void scope.end()
    }, timeoutMs)
    const onAbort = (): void => { void scope.end() }
    invocation.signal.addEventListener('abort', onAbort, { once: true })
    if (invocation.signal.aborted) onAbort()
    const started = Date.now()
    let exit: Exit
    try {
      exit = await new Promise<Exit>((resolve, reject) => {
        child.once('error', reject)
        child.once('close', (code, signal) => { resolve({ code, signal }) })
      })
    } catch (err: any) {
      throw new ToolError('failed', `cannot run /bin/sh: ${String(err.message)}`)
    } finally {
      clearTimeout(timer)
      invocation.signal.removeEventListener('abort', onAbort)
      await scope.end()
    }

    if (invocation.signal.aborted) throw invocation.signal.reason
    if (timedOut) throw new ToolError('timeout', `command timed out after ${timeoutMs / 1000} s and was killed`)
    return {
      ok: exit.code === 0,
      content: collected.text(),
      details: { exitCode: exit.code, signal: exit.signal, stderr: stderrTail.text(), durationMs: Date.now() - started, workdir },
      truncated: collected.truncated
    }
  }
}
