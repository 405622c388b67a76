import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url))
/** The repo's pinned Node 24 and its tools come first on PATH for everything the test runs */
export const NODE_BIN_DIR = `${REPO_ROOT}node_modules/.bin`

/**
 * The environment for programs the test starts: the test runner's own markers (VITEST,
 * NODE_ENV=test, npm_*) removed, since OpenClaw changes its behaviour under a test runner, and the
 * repo's Node 24 first on PATH.
 */
export function cleanEnv (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|npm_|NODE_ENV$|TEST$|NODE_OPTIONS$|FORCE_TTY$)/.test(key)) continue
    env[key] = value
  }
  return { ...env, PATH: `${NODE_BIN_DIR}:${process.env.PATH ?? ''}`, ...extra }
}

export interface CommandResult {
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

/** The most output kept from one command */
const MAX_OUTPUT_CHARS = 4 * 1024 * 1024

/**
 * Run a command to completion (killed with its process group at the deadline). Never throws for
 * a non-zero exit: the caller decides what a failure means.
 */
export async function run (command: string, args: string[], options: { env?: NodeJS.ProcessEnv, cwd?: string, timeoutMs: number, input?: string }): Promise<CommandResult> {
  const started = Date.now()
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? cleanEnv(),
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { if (stdout.length < MAX_OUTPUT_CHARS) stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { if (stderr.length < MAX_OUTPUT_CHARS) stderr += chunk.toString() })
  child.stdin.end(options.input ?? '')
  const timer = setTimeout(() => { killGroup(child.pid, 'SIGKILL') }, options.timeoutMs)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', code => { resolve(code) })
  }).finally(() => { clearTimeout(timer) })
  return { code, stdout, stderr, ms: Date.now() - started }
}

/** run(), failing with the command's output when it does not exit 0 */
export async function runOk (command: string, args: string[], options: Parameters<typeof run>[2]): Promise<CommandResult> {
  const result = await run(command, args, options)
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${String(result.code)} after ${result.ms} ms\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`)
  }
  return result
}

export function killGroup (pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid == null) return
  try {
    process.kill(-pid, signal)
  } catch {}
}

/** Poll `probe` until it returns a value (not undefined), or fail naming `what` at the deadline */
export async function waitFor<T> (what: string, probe: () => Promise<T | undefined>, options: { timeoutMs: number, intervalMs?: number }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (err) {
      lastError = err
    }
    await new Promise(resolve => setTimeout(resolve, options.intervalMs ?? 500))
  }
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${lastError != null ? `; last error: ${String(lastError)}` : ''}`)
}
