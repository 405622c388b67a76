import { execFile, spawn } from 'node:child_process'
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join, resolve } from 'node:path'
import { logger } from '@libp2p/logger'
import { ProcessScope } from './process-scope.js'
import { scopeGuard } from './scope-guard.js'
import type { ChildProcess, IOType, SpawnOptions, StdioOptions } from 'node:child_process'
import type { Writable } from 'node:stream'

const log = logger('clawmatrix:process-scope')

/** util-linux's unshare(1): `unshare --uts -- <program> <args>` makes a UTS namespace and execs the program in it */
const UNSHARE = 'unshare'

export interface ScopedChild {
  child: ChildProcess
  /** the child and everything it starts */
  scope: ProcessScope
}

let namespaces: Promise<boolean> | undefined

/** whether this process may give commands UTS namespaces of their own (Linux, CAP_SYS_ADMIN, unshare installed); asked once */
export async function namespacesAvailable (): Promise<boolean> {
  namespaces ??= process.platform !== 'linux'
    ? Promise.resolve(false)
    : new Promise<boolean>(resolve => {
      execFile(UNSHARE, ['--uts', '--', 'true'], err => {
        if (err != null) log('commands run in process groups only: "%s --uts" fails - %s', UNSHARE, err.message)
        resolve(err == null)
      })
    })
  return await namespaces
}

/**
 * spawn(), in a process group of its own (`detached`) and, where namespacesAvailable(), in a
 * UTS namespace of its own, entered by exec: the pid, the process group, stdin, stdout and
 * stderr, the environment, the exit status and signals are those of the program itself. A
 * program that cannot be found is spawned directly, so that it fails as spawn() fails.
 */
export async function spawnScoped (file: string, args: readonly string[], options: Omit<SpawnOptions, 'detached'>): Promise<ScopedChild> {
  if (!(await namespacesAvailable() && isProgram(file, options))) {
    const child = spawn(file, args, { ...options, detached: true })
    return { child, scope: new ProcessScope(child, undefined, scopeGuard()) }
  }
  const child: ChildProcess = spawn(UNSHARE, ['--uts', '--', ...gated(file, args, options)], { ...options, stdio: [...stdioOf(options), 'pipe'], detached: true })
  return { child, scope: new ProcessScope(child, child.stdio[3] as Writable, scopeGuard()) }
}

/**
 * The command behind a gate: a shell that waits for a line on fd 3 and then execs the program
 * (same pid) with fd 3 closed. The node sends that line once it holds the namespace, so that
 * even a command that exits at once, leaving a setsid child behind, is known by its namespace.
 * The shell sets PWD when it starts; the gate puts it back as the node passed it.
 */
function gated (file: string, args: readonly string[], options: Omit<SpawnOptions, 'detached'>): string[] {
  const pwd = (options.env ?? process.env).PWD
  const wait = 'read -r _ <&3 && exec "$@" 3<&-'
  return pwd == null
    ? ['/bin/sh', '-c', `unset PWD; ${wait}`, 'clawmatrix-scope', file, ...args]
    : ['/bin/sh', '-c', `PWD=$1; export PWD; shift; ${wait}`, 'clawmatrix-scope', pwd, file, ...args]
}

function stdioOf (options: Omit<SpawnOptions, 'detached'>): Exclude<StdioOptions, IOType> {
  const stdio = options.stdio ?? 'pipe'
  return typeof stdio === 'string' ? [stdio, stdio, stdio] : [...stdio]
}

/** whether exec would find `file` the way execvp does (through PATH unless it holds a slash) */
function isProgram (file: string, options: Omit<SpawnOptions, 'detached'>): boolean {
  const path = (options.env ?? process.env).PATH ?? ''
  const cwd = options.cwd == null ? process.cwd() : String(options.cwd)
  const candidates = file.includes('/')
    ? [resolve(cwd, file)]
    : path.split(delimiter).filter(dir => dir !== '').map(dir => resolve(cwd, join(dir, file)))
  return candidates.some(candidate => {
    try {
      accessSync(candidate, constants.X_OK)
      return statSync(candidate).isFile()
    } catch {
      return false
    }
  })
}
