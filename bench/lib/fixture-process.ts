import { fork } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { FixtureReport, FixtureRequest } from '../fixtures/messages.js'
import type { ChildProcess } from 'node:child_process'

const running = new Set<ChildProcess>()
/** USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on every Linux build in use */
const CLOCK_TICKS_PER_S = 100

// a bench that throws half-way must not leave nodes behind
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

function hasExited (child: ChildProcess): boolean {
  return child.exitCode != null || child.signalCode != null
}

async function exited (child: ChildProcess): Promise<void> {
  if (hasExited(child)) return
  await new Promise(resolve => child.once('exit', resolve))
}

/** the next report of `type` from `child`; rejects if it exits or the deadline passes first */
async function nextReport<K extends FixtureReport['type']> (child: ChildProcess, type: K, timeoutMs: number): Promise<Extract<FixtureReport, { type: K }>> {
  return await new Promise((resolve, reject) => {
    const onMessage = (message: FixtureReport): void => {
      if (message.type === 'failed') {
        done()
        reject(new Error(`fixture failed: ${message.message}`))
      } else if (message.type === type) {
        done()
        resolve(message as Extract<FixtureReport, { type: K }>)
      }
    }
    const onExit = (code: number | null, signal: string | null): void => {
      done()
      reject(new Error(`fixture exited (${signal ?? `code ${code}`}) before reporting ${type}`))
    }
    const onError = (err: Error): void => {
      done()
      reject(new Error(`fixture process failed before reporting ${type}: ${err.message}`))
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`fixture did not report ${type} within ${timeoutMs} ms`))
    }, timeoutMs)
    const done = (): void => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
      child.off('error', onError)
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
    child.once('error', onError)
  })
}

/**
 * A compiled fixture script (dist/bench/fixtures/*.js) running in its own Node process, on the
 * same Node binary as this one, controlled over IPC.
 */
export class FixtureProcess {
  private constructor (private readonly child: ChildProcess, readonly peerId: string, readonly addrs: string[]) {}

  /** `nodeOptions`: Node flags for the fixture's process, after this process's own */
  static async start (script: URL, args: unknown, readyTimeoutMs = 30_000, nodeOptions: string[] = []): Promise<FixtureProcess> {
    const child = fork(fileURLToPath(script), [JSON.stringify(args)], {
      execPath: process.execPath,
      execArgv: [...process.execArgv, ...nodeOptions],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    running.add(child)
    child.once('exit', () => running.delete(child))
    child.on('error', err => { console.error(`fixture ${fileURLToPath(script)}: ${err.message}`) })
    try {
      const ready = await nextReport(child, 'ready', readyTimeoutMs)
      return new FixtureProcess(child, ready.peerId, ready.addrs)
    } catch (err) {
      // a process that never spawned has no exit to wait for
      if (child.pid != null) {
        child.kill('SIGKILL')
        await exited(child)
      }
      running.delete(child)
      throw err
    }
  }

  get pid (): number {
    if (this.child.pid == null) throw new Error('fixture process has no pid')
    return this.child.pid
  }

  /** a request the fixture cannot receive is not answered: the caller's deadline reports it */
  private request (message: FixtureRequest): void {
    if (this.child.connected) this.child.send(message, () => {})
  }

  /** the fixture's own `process.memoryUsage()` figures, in bytes (after a full GC when it runs with --expose-gc), and what it counts of the translation's modules */
  async memory (timeoutMs = 5000): Promise<{ rss: number, heapUsed: number, translationModules?: number }> {
    const reply = nextReport(this.child, 'memory', timeoutMs)
    this.request({ type: 'memory' })
    return await reply
  }

  /** the fixture's open libp2p connections (fixtures that report none answer 0) */
  async connections (timeoutMs = 5000): Promise<number> {
    const reply = nextReport(this.child, 'connections', timeoutMs)
    this.request({ type: 'connections' })
    return (await reply).open
  }

  /** CPU time (user + system) the fixture's process has used so far, in ms, from /proc (Linux) */
  async cpuMs (): Promise<number> {
    const stat = await readFile(`/proc/${this.pid}/stat`, 'utf8')
    // the fields after the command name, which is in parentheses and may hold spaces
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return ticks * 1000 / CLOCK_TICKS_PER_S
  }

  /** freeze (SIGSTOP), thaw (SIGCONT) or kill (SIGKILL) without asking */
  signal (signal: 'SIGSTOP' | 'SIGCONT' | 'SIGKILL'): void {
    this.child.kill(signal)
  }

  async kill (): Promise<void> {
    if (hasExited(this.child)) return
    this.child.kill('SIGKILL')
    await exited(this.child)
  }

  /** ask the fixture to stop its node and exit; kill it when it does not within `timeoutMs` */
  async stop (timeoutMs = 5000): Promise<void> {
    if (hasExited(this.child)) return
    this.request({ type: 'stop' })
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs)
    await exited(this.child)
    clearTimeout(timer)
  }
}

/** kill every fixture process still running */
export async function killAllFixtures (): Promise<void> {
  await Promise.all([...running].map(async child => {
    child.kill('SIGKILL')
    await exited(child)
  }))
}
