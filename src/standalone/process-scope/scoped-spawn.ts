import { execFile, spawn } from 'node:child_process'
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join, resolve } from 'node:path'
import { logger } from '@libp2p/logger'
import { ProcessScope } from './process-scope.js'
import { scopeGuard } from './scope-guard.js'
import type { ChildProcess, SpawnOptions } from 'node:child_process'

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
 * UTS namespace of its own, entered by exec: the pid, the process group, stdio, the
 * environment, the exit status and signals are those of the program itself. A program that
 * cannot be found is spawned directly, so that it fails as spawn() fails.
 */
export async function spawnScoped (file: string, args: readonly string[], options: Omit<SpawnOptions, 'detached'>): Promise<ScopedChild> {
  const inNamespace = await namespacesAvailable() && isProgram(file, options)
  const child = inNamespace
    ? spawn(UNSHARE, ['--uts', '--', file, ...args], { ...options, detached: true })
    : spawn(file, args, { ...options, detached: true })
  return { child, scope: new ProcessScope(child, inNamespace, scopeGuard()) }
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
