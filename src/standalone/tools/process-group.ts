import type { ChildProcess } from 'node:child_process'

/** Time a process group gets between SIGTERM and SIGKILL */
export const KILL_GRACE_MS = 2000

function signalGroup (child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid == null) return
  try {
    process.kill(-child.pid, signal)
  } catch (err: any) {
    if (err.code !== 'ESRCH') throw err
  }
}

/**
 * End a child spawned with `detached: true` and everything it started in its process group:
 * SIGTERM now, SIGKILL after a grace period (members that trap SIGTERM do not survive).
 */
export function killProcessGroup (child: ChildProcess): void {
  signalGroup(child, 'SIGTERM')
  setTimeout(() => { signalGroup(child, 'SIGKILL') }, KILL_GRACE_MS).unref()
}
