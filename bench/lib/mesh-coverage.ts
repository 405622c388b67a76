import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ClawMatrixNode } from '../../src/node/clawmatrix.js'

/** the fewest ms between two checks; a check that takes long waits longer (see `converged`) */
const MIN_INTERVAL_MS = 20
/** a check may take at most this share of the process's time */
const CHECK_SHARE = 0.2

/** how many of `peerIds` (`holder` aside) `holder` holds no live record of, or cannot route to */
function unreachableFrom (holder: ClawMatrixNode, peerIds: string[]): number {
  const reachable = new Set(holder.peers().filter(p => p.reachable).map(p => p.peerId))
  return peerIds.filter(peerId => peerId !== holder.peerId && !reachable.has(peerId)).length
}

/** `holder` holds a live record of every one of `peerIds` (itself aside) and can route to each */
function complete (holder: ClawMatrixNode, peerIds: string[]): boolean {
  const table = holder.capabilities.table
  // the table first: a holder still missing records needs no (costlier) status
  for (const peerId of peerIds) {
    if (peerId === holder.peerId) continue
    const entry = table.get(peerId)
    if (entry == null || entry.expired) return false
  }
  return unreachableFrom(holder, peerIds) === 0
}

/** (holder, signer) pairs where the holder has no live record of the signer or cannot route to it */
export function missingPairs (holders: ClawMatrixNode[], peerIds: string[]): number {
  return holders.reduce((missing, holder) => missing + unreachableFrom(holder, peerIds), 0)
}

/**
 * `performance.now()` at the first check where every holder holds every other node's live record
 * and can route to it; rejects naming `what` after `timeoutMs`. A holder found complete is not
 * checked again until all are; then one pass checks them all at once, and only that pass counts.
 * The nodes share this process: checks run at most `CHECK_SHARE` of the time, so the watching
 * does not slow what it watches.
 */
export async function converged (holders: ClawMatrixNode[], peerIds: string[], what: string, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs
  const done = new Set<ClawMatrixNode>()
  while (true) {
    const started = performance.now()
    for (const holder of holders) {
      if (!done.has(holder) && complete(holder, peerIds)) done.add(holder)
    }
    if (done.size === holders.length) {
      const failing = holders.filter(h => !complete(h, peerIds))
      if (failing.length === 0) return performance.now()
      for (const holder of failing) done.delete(holder)
    }
    const now = performance.now()
    if (now > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(Math.max(MIN_INTERVAL_MS, (now - started) * (1 - CHECK_SHARE) / CHECK_SHARE))
  }
}
