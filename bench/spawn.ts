import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { namespacesAvailable, spawnScoped } from '../src/standalone/process-scope/index.js'
import { printFigures } from './lib/report.js'
import { summarize } from './lib/stats.js'
import type { ChildProcess } from 'node:child_process'

const WARMUP = 20
const SPAWNS = 200
/** a program that does nothing, so the figures are the cost of starting and ending a process */
const PROGRAM = '/bin/true'

async function closed (child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', () => { resolve() })
  })
}

/** what commands were started with before process scopes: spawn() in a process group of their own */
async function plainSpawn (): Promise<number> {
  const started = performance.now()
  await closed(spawn(PROGRAM, [], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] }))
  return performance.now() - started
}

/** spawnScoped, until the scope has been checked for leftovers and released, as runChild does before its result */
async function scopedSpawn (): Promise<number> {
  const started = performance.now()
  const { child, scope } = await spawnScoped(PROGRAM, [], { stdio: ['ignore', 'pipe', 'pipe'] })
  await closed(child)
  await scope.end()
  return performance.now() - started
}

/** `npm run bench -- spawn`: what a process scope adds to starting a command, alternating with plain spawns in one run */
export async function runSpawnBench (): Promise<void> {
  const inNamespace = await namespacesAvailable()
  for (let i = 0; i < WARMUP; i++) {
    await plainSpawn()
    await scopedSpawn()
  }
  const plain: number[] = []
  const scoped: number[] = []
  for (let i = 0; i < SPAWNS; i++) {
    plain.push(await plainSpawn())
    scoped.push(await scopedSpawn())
  }
  const p = summarize(plain)
  const s = summarize(scoped)
  printFigures(`spawning ${PROGRAM} and waiting for it to end (${inNamespace ? 'UTS namespace + process group' : 'process group only: no namespaces here'})`, [
    { label: 'plain spawn, median', value: p.median, unit: 'ms', samples: p.count },
    { label: 'scoped spawn, median', value: s.median, unit: 'ms', samples: s.count, baseline: { label: 'plain spawn', value: p.median } },
    { label: 'plain spawn, p99', value: p.p99, unit: 'ms', samples: p.count },
    { label: 'scoped spawn, p99', value: s.p99, unit: 'ms', samples: s.count, baseline: { label: 'plain spawn', value: p.p99 } }
  ])
}
