import { closeSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { descendantsOf, killNamespace, pinNamespace, processGroupOf, signalAll, signalGroup, utsNamespaceOf } from './namespace-scan.js'

/*
 * The scope guard: a process of its own beside a node, told over its stdin which commands the node
 * runs (see scope-guard.ts for the lines). When that pipe closes, because the node exited or was
 * killed with SIGKILL, it kills every one of them: their process groups and, where the node gave
 * one, everything in their UTS namespace (which setsid does not leave). Then it exits.
 */

interface Guarded {
  pgid: number
  namespace?: string
  /** an open handle on the namespace, so that its name stays its own */
  pin?: number
}

const guarded = new Map<string, Guarded>()

// signals a terminal sends to the node's whole process group must not take the guard with it
process.on('SIGINT', () => {})
process.on('SIGHUP', () => {})

const lines = createInterface({ input: process.stdin })
lines.on('line', line => { void take(line.split(' ')) })
lines.on('close', () => {
  void killAll().finally(() => { process.exit(0) })
})

async function take ([verb, id, ...rest]: string[]): Promise<void> {
  if (verb === 'run' && rest.length === 1) {
    guarded.set(id, { pgid: Number(rest[0]) })
  } else if (verb === 'namespace' && rest.length === 2) {
    const run = guarded.get(id)
    if (run == null) return
    const [pid, name] = rest
    run.namespace = name
    // hold the namespace so its name stays its own while the guard may still kill by it
    const pinned = pinNamespace(Number(pid))
    if (pinned == null) return
    if (pinned.name !== name) closeSync(pinned.fd)
    else run.pin = pinned.fd
  } else if (verb === 'done') {
    const run = guarded.get(id)
    guarded.delete(id)
    if (run?.pin != null) closeSync(run.pin)
  }
}

async function killAll (): Promise<void> {
  const own = await utsNamespaceOf('self')
  await Promise.all([...guarded.values()].map(async run => {
    // a node killed right after starting a command may not have said its namespace: the
    // command, while it is still there (and still leads its group), is in it
    const name = run.namespace ?? await namespaceOfLeader(run.pgid, own)
    // without a namespace: what left the group while its parent lives is found from the command down
    const descendants = name == null && await processGroupOf(run.pgid) === run.pgid ? descendantsOf(run.pgid) : []
    signalGroup(run.pgid, 'SIGKILL')
    signalAll(descendants, 'SIGKILL')
    if (name != null) await killNamespace(name).catch(() => {})
  }))
}

async function namespaceOfLeader (pgid: number, own: string | undefined): Promise<string | undefined> {
  const name = await utsNamespaceOf(pgid)
  if (name == null || name === own || await processGroupOf(pgid) !== pgid) return undefined
  return name
}
