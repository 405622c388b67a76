import { spawnScoped } from './process-scope/index.js'
import { TailBuffer } from './tools/bounded-buffers.js'
import type { AgentRunEvent } from '../host/ports.js'
import type { ChildProcess } from 'node:child_process'

/** How much of a failing child's stderr is returned with the failure */
export const MAX_STDERR_BYTES = 16 * 1024

export interface ChildExit {
  code: number | null
  signal: NodeJS.Signals | null
  /** the child could not be started */
  error?: Error
}

/** Resolves when the child has exited and its output pipes are closed (or it never started) */
export function childExit (child: ChildProcess): Promise<ChildExit> {
  return new Promise(resolve => {
    child.once('close', (code, signal) => { resolve({ code, signal }) })
    child.on('error', error => { if (child.pid == null) resolve({ code: null, signal: null, error }) })
  })
}

/**
 * Run `argv` (no shell) in a process scope of its own (see spawnScoped), feeding `stdin` when
 * given; yield its stdout as text as it comes, then one result: success on exit code 0,
 * otherwise a failure carrying the tail of stderr. When `signal` aborts, the whole scope is
 * killed and the result says so. Returning early (the consumer leaving) kills it too. The result
 * comes, and the generator ends, only once the child and everything it started are gone.
 */
export async function * runChild (argv: string[], stdin: string | undefined, signal: AbortSignal): AsyncGenerator<AgentRunEvent> {
  signal.throwIfAborted()
  const { child, scope } = await spawnScoped(argv[0], argv.slice(1), { stdio: [stdin != null ? 'pipe' : 'ignore', 'pipe', 'pipe'] })
  const exited = childExit(child)
  const stop = (): void => { void scope.end() }
  signal.addEventListener('abort', stop, { once: true })
  if (signal.aborted) stop()

  const stderr = new TailBuffer(MAX_STDERR_BYTES)
  child.stderr?.on('data', (chunk: Buffer) => { stderr.append(chunk) })
  if (stdin != null && child.stdin != null) {
    // a child that never reads its stdin must not fail the run with EPIPE
    child.stdin.on('error', () => {})
    child.stdin.end(stdin)
  }

  try {
    const decoder = new TextDecoder()
    if (child.stdout != null) {
      for await (const chunk of child.stdout) {
        const text = decoder.decode(chunk as Buffer, { stream: true })
        if (text !== '') yield { type: 'delta', text }
      }
    }
    const rest = decoder.decode()
    if (rest !== '') yield { type: 'delta', text: rest }
    const exit = await exited
    // what the command left running ends with it
    await scope.end()
    yield { type: 'result', result: outcome(argv[0], exit, stderr.text().trim(), signal) }
  } finally {
    signal.removeEventListener('abort', stop)
    stop()
    await exited
    await scope.end()
  }
}

function outcome (program: string, exit: ChildExit, stderr: string, signal: AbortSignal): { success: boolean, error?: string } {
  if (exit.error != null) return { success: false, error: `could not start "${program}": ${exit.error.message}` }
  if (signal.aborted) return { success: false, error: `stopped: ${String(signal.reason?.message ?? signal.reason)}` }
  if (exit.code === 0) return { success: true }
  const how = exit.code != null ? `exited with code ${exit.code}` : `was killed by ${exit.signal ?? 'a signal'}`
  return { success: false, error: stderr === '' ? `"${program}" ${how}` : `"${program}" ${how}: ${stderr}` }
}
