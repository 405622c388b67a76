import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { logger } from '@libp2p/logger'
import type { ChildProcess } from 'node:child_process'
import type { Socket } from 'node:net'

const log = logger('clawmatrix:process-scope')

/** The guard's program, beside this file once compiled (absent when running from TypeScript sources) */
const GUARD_MAIN = fileURLToPath(new URL('./guard-main.js', import.meta.url))

/**
 * The node's side of the scope guard (guard-main.ts), a process started once per node process
 * that kills the commands the node runs when the node dies, SIGKILL included. It learns of them in
 * lines on its stdin: `run <id> <pgid>` when one starts, `namespace <id> <pid> <name>` once its
 * UTS namespace is known, `done <id>` once it and everything it started have ended.
 */
export class ScopeGuard {
  private child: ChildProcess | undefined
  private nextId = 0

  constructor (program = GUARD_MAIN) {
    if (!existsSync(program)) {
      log('no scope guard: %s is not there', program)
      return
    }
    const child = spawn(process.execPath, [program], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] })
    child.on('error', err => {
      log.error('the scope guard could not run - %e', err)
      this.child = undefined
    })
    child.on('exit', (code, signal) => {
      if (this.child === child) log.error('the scope guard ended (%s); commands may outlive this node if it is killed', signal ?? code)
      this.child = undefined
    })
    child.stdin?.on('error', () => {})
    // neither the guard nor the pipe to it keeps this process alive
    child.unref()
    ;(child.stdin as Socket | null)?.unref()
    this.child = child
  }

  /** whether commands started now are guarded */
  get active (): boolean {
    return this.child != null
  }

  run (pgid: number): string {
    const id = String(this.nextId++)
    this.tell(`run ${id} ${pgid}`)
    return id
  }

  namespace (id: string, pid: number, name: string): void {
    this.tell(`namespace ${id} ${pid} ${name}`)
  }

  done (id: string): void {
    this.tell(`done ${id}`)
  }

  private tell (line: string): void {
    this.child?.stdin?.write(line + '\n')
  }
}

let shared: ScopeGuard | undefined

/** This process's scope guard, started on first use */
export function scopeGuard (): ScopeGuard {
  shared ??= new ScopeGuard()
  return shared
}
