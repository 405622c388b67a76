import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { readFile, readlink } from 'node:fs/promises'

// Linux only. This file imports nothing but node: modules, as the scope guard process runs it too.

/** Pause between rounds of killing, while killed processes are being torn down */
const KILL_ROUND_PAUSE_MS = 5
/** Rounds of scanning and killing before a namespace that keeps gaining processes is given up on */
const MAX_KILL_ROUNDS = 200

/** The UTS namespace of `pid` as the kernel names it (`uts:[4026532173]`); undefined once it has exited */
export async function utsNamespaceOf (pid: number | 'self'): Promise<string | undefined> {
  return await readlink(`/proc/${pid}/ns/uts`).catch(() => undefined)
}

/**
 * An open handle on the UTS namespace `pid` is in, and its name. While the handle is open the
 * namespace lives on, so its name cannot be given to a new namespace, even once every process in
 * it has exited. Undefined when `pid` has exited. (Synchronous: two system calls, quicker than
 * a trip through the thread pool.)
 */
export function pinNamespace (pid: number): { fd: number, name: string } | undefined {
  let fd: number
  try {
    fd = openSync(`/proc/${pid}/ns/uts`, 'r')
  } catch {
    return undefined
  }
  try {
    return { fd, name: readlinkSync(`/proc/self/fd/${fd}`) }
  } catch {
    closeSync(fd)
    return undefined
  }
}

/**
 * Every live process in the UTS namespace `name` (zombies have none and are not listed).
 * Synchronous: a system call per process, about a millisecond for a hundred.
 */
export function processesIn (name: string): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  const found: number[] = []
  for (const entry of entries) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue
    try {
      if (readlinkSync(`/proc/${entry}/ns/uts`) === name) found.push(pid)
    } catch {
      // exited meanwhile, or a zombie
    }
  }
  return found
}

/**
 * The live descendants of `pid` (children, their children, ...), found through /proc: where a
 * command has no namespace of its own, this finds the members that left its process group
 * (setsid) while their parent lives. Empty where there is no /proc.
 */
export function descendantsOf (pid: number): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  const children = new Map<number, number[]>()
  for (const entry of entries) {
    const child = Number(entry)
    if (!Number.isInteger(child) || child <= 0) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so count from the last ')'
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (state === 'Z') continue
      const siblings = children.get(Number(ppid)) ?? []
      siblings.push(child)
      children.set(Number(ppid), siblings)
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = []
  const queue = [pid]
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      if (found.includes(child)) continue
      found.push(child)
      queue.push(child)
    }
  }
  return found
}

/** whether `pid` is alive and not a zombie */
export function isLive (pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    try {
      process.kill(pid, 0)
      return process.platform !== 'linux'
    } catch {
      return false
    }
  }
}

/** Signal each of `pids`, ignoring those gone meanwhile */
export function signalAll (pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) signalProcess(pid, signal)
}

/** The process group `pid` is in; undefined once it has exited */
export async function processGroupOf (pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so count from the last ')'
  const pgrp = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[2]
  return pgrp == null ? undefined : Number(pgrp)
}

/** never kill by this process's own namespace: that would be every process of the host */
async function refuseOwn (name: string): Promise<void> {
  if (name === await utsNamespaceOf('self')) throw new Error(`${name} is this process's own namespace, not a scope's`)
}

/** Send `signal` once to every process in the namespace; says whether there was any */
export async function signalNamespace (name: string, signal: NodeJS.Signals): Promise<boolean> {
  await refuseOwn(name)
  const pids = processesIn(name)
  for (const pid of pids) signalProcess(pid, signal)
  return pids.length > 0
}

/**
 * SIGKILL every process in the namespace, again and again until none is left: a process that
 * forks while being killed leaves a child the next round finds. Says whether it got empty.
 */
export async function killNamespace (name: string): Promise<boolean> {
  await refuseOwn(name)
  for (let round = 0; round < MAX_KILL_ROUNDS; round++) {
    const pids = processesIn(name)
    if (pids.length === 0) return true
    for (const pid of pids) signalProcess(pid, 'SIGKILL')
    await new Promise(resolve => setTimeout(resolve, KILL_ROUND_PAUSE_MS))
  }
  return false
}

/** Signal a process group; says whether it still had a member (one this process may not signal counts) */
export function signalGroup (pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal)
    return true
  } catch (err: any) {
    return err.code !== 'ESRCH'
  }
}

function signalProcess (pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // gone meanwhile, or not ours to signal
  }
}
