import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { childExit } from './child-run.js'
import { spawnScoped } from './process-scope/index.js'
import { TailBuffer } from './tools/bounded-buffers.js'
import type { ChildExit } from './child-run.js'
import type { ProcessScope } from './process-scope/index.js'
import type { ChildProcess } from 'node:child_process'

/** How much of a delivery's output (stdout and stderr together) is kept */
export const DELIVERY_OUTPUT_BYTES = 64 * 1024
/** Output files kept per agent; older ones are removed */
export const MAX_DELIVERY_LOGS = 64

export interface DeliveryInit {
  argv: string[]
  stdin?: string
  /** folder for this agent's output files */
  logDir: string
  /** the command is killed (with everything it started) after this long */
  timeoutMs: number
}

export interface Delivery {
  /** also the output file's name: `<logDir>/<id>.log` */
  id: string
  child: ChildProcess
  /** the command and everything it starts */
  scope: ProcessScope
  /** resolves once the command has ended and its output tail is written */
  ended: Promise<void>
}

/**
 * Start a command that nobody waits for: resolves as soon as it runs (rejects when it cannot
 * start). Its output is read, bounded, and the tail written to a file when it ends.
 */
export async function startDelivery (init: DeliveryInit): Promise<Delivery> {
  const startedAt = new Date()
  const { child, scope } = await spawnScoped(init.argv[0], init.argv.slice(1), { stdio: [init.stdin != null ? 'pipe' : 'ignore', 'pipe', 'pipe'] })
  const exited = childExit(child)
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve)
    void exited.then(exit => { if (exit.error != null) reject(exit.error) })
  }).catch(async err => {
    await scope.end()
    throw err
  })
  if (init.stdin != null && child.stdin != null) {
    child.stdin.on('error', () => {})
    child.stdin.end(init.stdin)
  }
  const output = new TailBuffer(DELIVERY_OUTPUT_BYTES)
  child.stdout?.on('data', (chunk: Buffer) => { output.append(chunk) })
  child.stderr?.on('data', (chunk: Buffer) => { output.append(chunk) })
  const timer = setTimeout(() => { void scope.end() }, init.timeoutMs)
  timer.unref()

  const id = `${startedAt.getTime()}-${child.pid ?? 0}`
  const ended = exited.then(async exit => {
    clearTimeout(timer)
    // what the command left running ends with it
    await scope.end()
    await mkdir(init.logDir, { recursive: true, mode: 0o700 })
    const header = `# ${init.argv[0]} started ${startedAt.toISOString()}, ended ${new Date().toISOString()}, ${describeExit(exit)}\n`
    await writeFile(join(init.logDir, `${id}.log`), header + output.text(), { mode: 0o600 })
    await pruneLogs(init.logDir)
  })
  return { id, child, scope, ended }
}

function describeExit (exit: ChildExit): string {
  if (exit.code != null) return `exit code ${exit.code}`
  return `killed by ${exit.signal ?? 'a signal'}`
}

async function pruneLogs (dir: string): Promise<void> {
  const logs = (await readdir(dir)).filter(name => name.endsWith('.log'))
  if (logs.length <= MAX_DELIVERY_LOGS) return
  // names start with the start time in ms, so they sort by age once compared as numbers
  logs.sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
  await Promise.all(logs.slice(0, logs.length - MAX_DELIVERY_LOGS).map(async name => { await rm(join(dir, name), { force: true }) }))
}
