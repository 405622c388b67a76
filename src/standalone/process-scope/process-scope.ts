import { closeSync } from 'node:fs'
import { logger } from '@libp2p/logger'
import { descendantsOf, isLive, killNamespace, pinNamespace, processesIn, signalAll, signalGroup, signalNamespace, utsNamespaceOf } from './namespace-scan.js'
import type { ScopeGuard } from './scope-guard.js'
import type { ChildProcess } from 'node:child_process'
import type { Writable } from 'node:stream'

const log = logger('clawmatrix:process-scope')

/** Time the processes of a scope get between SIGTERM and SIGKILL */
export const KILL_GRACE_MS = 2000
/** How often, during the grace period, the scope is checked for having ended */
const GRACE_POLL_MS = 20
/** How long a command started in a UTS namespace may take to enter it before it is only a process group */
const NAMESPACE_WAIT_MS = 5000

let ownNamespace: Promise<string | undefined> | undefined

/**
 * A command started by spawnScoped and everything it starts: its process group and, on Linux
 * where the node may create namespaces, its own UTS namespace, which every descendant inherits
 * and which, unlike the process group, setsid does not leave. The scope guard kills it all when
 * the node dies; `end()` kills it all while the node lives.
 */
export class ProcessScope {
  private readonly guardId: string | undefined
  private readonly attached: Promise<void>
  private namespace: { fd: number, name: string } | undefined
  private ending: Promise<void> | undefined

  /**
   * `gate`: for a command started in a namespace of its own, the pipe its gate waits on (see
   * spawnScoped); it goes on once the namespace is held
   */
  constructor (private readonly child: ChildProcess, gate: Writable | undefined, private readonly guard: ScopeGuard) {
    const pid = child.pid
    this.guardId = pid != null && guard.active ? guard.run(pid) : undefined
    if (gate == null || pid == null) {
      this.attached = Promise.resolve()
      return
    }
    gate.on('error', () => {})
    this.attached = this.attach(pid).finally(() => { gate.end('\n') })
  }

  /** the name of the scope's UTS namespace (`uts:[n]`), once known; undefined when it has none */
  async namespaceName (): Promise<string | undefined> {
    await this.attached
    return this.namespace?.name
  }

  /**
   * End every process of the scope: SIGTERM now, SIGKILL after KILL_GRACE_MS to whatever is
   * left. Resolves once that is done (or at once when nothing was left). Called again, it
   * returns the same promise.
   */
  async end (): Promise<void> {
    this.ending ??= this.endAll()
    await this.ending
  }

  private async endAll (): Promise<void> {
    const pgid = this.child.pid
    try {
      if (pgid == null) return
      // without a namespace, the command's descendants that left its group are found while their parents live
      let descendants = this.namespace == null ? descendantsOf(pgid) : []
      // the group gets its signal at once, as a plain process-group kill would
      const groupLeft = signalGroup(pgid, 'SIGTERM')
      signalAll(descendants, 'SIGTERM')
      await this.attached
      const name = this.namespace?.name
      const namespaceLeft = name != null && await signalNamespace(name, 'SIGTERM')
      if (!groupLeft && !namespaceLeft && descendants.length === 0) return
      if (await this.emptyWithin(pgid, name, descendants, KILL_GRACE_MS)) return
      descendants = [...new Set([...descendants, ...descendantsOf(pgid)])]
      signalGroup(pgid, 'SIGKILL')
      signalAll(descendants, 'SIGKILL')
      if (name != null && !await killNamespace(name)) log.error('processes of command %d were still starting others after being killed again and again', pgid)
    } catch (err: any) {
      log.error('could not end the processes of command %d - %e', pgid, err)
    } finally {
      await this.release()
    }
  }

  /** whether every process of the scope has exited within `ms` */
  private async emptyWithin (pgid: number, name: string | undefined, descendants: number[], ms: number): Promise<boolean> {
    const deadline = Date.now() + ms
    while (Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, GRACE_POLL_MS).unref())
      // the namespace holds the whole group; a group also counts members that are zombies until reaped
      const left = name != null ? processesIn(name).length > 0 : signalGroup(pgid, 0) || descendants.some(isLive)
      if (!left) return true
    }
    return false
  }

  private async release (): Promise<void> {
    if (this.guardId != null) this.guard.done(this.guardId)
    if (this.namespace != null) closeSync(this.namespace.fd)
    this.namespace = undefined
  }

  /** Learn (and hold) the namespace the command entered; until it has, it still shows the node's own */
  private async attach (pid: number): Promise<void> {
    ownNamespace ??= utsNamespaceOf('self')
    const own = await ownNamespace
    const deadline = Date.now() + NAMESPACE_WAIT_MS
    let tries = 0
    while (Date.now() < deadline && this.ending == null) {
      const pinned = pinNamespace(pid)
      if (pinned == null) return
      if (pinned.name !== own) {
        this.namespace = pinned
        if (this.guardId != null) this.guard.namespace(this.guardId, pid, pinned.name)
        return
      }
      closeSync(pinned.fd)
      await new Promise(resolve => setTimeout(resolve, Math.min(tries++, 20)))
    }
  }
}
