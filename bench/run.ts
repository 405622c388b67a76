/** `npm run bench [-- <section>...]`: run every benchmark section, or the ones named */
import { availableParallelism, loadavg } from 'node:os'
import { runHandoffBench } from './handoff.js'
import { runMeshBench } from './mesh.js'
import { runMetricsBench } from './metrics.js'
import { runModelBench } from './model.js'
import { runRoutingBench } from './routing.js'
import { runScaleBench } from './scale.js'
import { runSpawnBench } from './spawn.js'
import { runToolBench } from './tool.js'
import { missedTargets } from './lib/report.js'

const SECTIONS: Record<string, () => Promise<void>> = {
  mesh: runMeshBench,
  model: runModelBench,
  routing: runRoutingBench,
  handoff: runHandoffBench,
  tool: runToolBench,
  spawn: runSpawnBench,
  metrics: runMetricsBench,
  scale: runScaleBench
}

/** how long the process may linger after the last section before it counts as a leak */
const EXIT_GRACE_MS = 10_000

async function main (names: string[]): Promise<void> {
  const unknown = names.filter(n => !(n in SECTIONS))
  if (unknown.length > 0) {
    console.error(`unknown bench section: ${unknown.join(', ')} (sections: ${Object.keys(SECTIONS).join(', ')})`)
    process.exitCode = 2
    return
  }
  const failed: string[] = []
  for (const name of names.length > 0 ? names : Object.keys(SECTIONS)) {
    // figures from a busy machine read differently: say how busy it was
    console.log(`\n== ${name} == (node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()[0].toFixed(2)})`)
    const started = Date.now()
    try {
      await SECTIONS[name]()
      console.log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    } catch (err: any) {
      console.error(`${name}: failed - ${String(err?.stack ?? err)}`)
      failed.push(name)
      process.exitCode = 1
    }
  }
  const missed = missedTargets()
  if (failed.length > 0) console.log(`\n${failed.length} section(s) failed before printing all their figures: ${failed.join(', ')}`)
  console.log(missed.length === 0 ? `\nevery figure${failed.length > 0 ? ' printed' : ''} with a target met it` : `\n${missed.length} figure(s) missed their target:\n  ${missed.join('\n  ')}`)
}

await main(process.argv.slice(2))

// every section releases its nodes, processes and ports: if something still holds the process, say what
setTimeout(() => {
  console.error(`bench still running ${EXIT_GRACE_MS / 1000} s after the last section; open: ${process.getActiveResourcesInfo().join(', ')}`)
  process.exit(1)
}, EXIT_GRACE_MS).unref()
