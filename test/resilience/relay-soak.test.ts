import { fork } from 'node:child_process'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { DEFAULT_TIMING } from '../../src/node/clawmatrix.js'
import { TEST_SECRET, removeTempDirs, startNode, waitUntilReachable } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { ChildProcess } from 'node:child_process'
import type { FakeUpstream } from '../helpers/fake-upstream.js'
import type { TestNode } from '../helpers/mesh.js'

const HUB = resolve(import.meta.dirname, 'fixtures/relay-hub.mjs')
const MB = 1024 * 1024
const SOAK_MINUTES = Number(process.env.CLAWMATRIX_SOAK_MINUTES ?? 0)
/** how long requests are sent; long when soaking */
const DURATION_MS = SOAK_MINUTES > 0 ? SOAK_MINUTES * 60_000 : 30_000
/** one 1 MB request starts this often (the issue's rate when soaking, faster in the short run) */
const REQUEST_INTERVAL_MS = SOAK_MINUTES > 0 ? 2000 : 400
/** the short run is only meaningful with enough bytes through the relay */
const MIN_REQUESTS = SOAK_MINUTES > 0 ? SOAK_MINUTES * 20 : 25
/** growth of the hub's heap + ArrayBuffers after a full GC (the leak kept about 2 MB per request: ≥ 50 MB here) */
const MAX_GROWTH_BYTES = 16 * MB

/** the default timing, but quicker to connect: pings must not call a busy peer silent */
const TIMING = { ...DEFAULT_TIMING, announceIntervalMs: 1000, minBackoffMs: 100, maxBackoffMs: 1000 }

interface Memory { heapUsed: number, arrayBuffers: number, external: number, rss: number }

class HubProcess {
  private constructor (readonly child: ChildProcess, readonly dialAddr: string) {}

  static async start (): Promise<HubProcess> {
    const child = fork(HUB, [], {
      execArgv: ['--expose-gc'],
      env: { ...process.env, CLAWMATRIX_TEST_SECRET: TEST_SECRET, CLAWMATRIX_TEST_TIMING: JSON.stringify(TIMING) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    const dialAddr = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error('the hub did not start within 30 s')) }, 30_000)
      child.once('message', (msg: any) => { clearTimeout(timer); resolve(msg.dialAddr) })
      child.once('exit', code => { clearTimeout(timer); reject(new Error(`the hub exited with ${code}`)) })
    })
    return new HubProcess(child, dialAddr)
  }

  async memory (): Promise<Memory> {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error('no memory figures from the hub within 30 s')) }, 30_000)
      this.child.once('message', (msg: any) => { clearTimeout(timer); resolve(msg.memory) })
      this.child.send('measure')
    })
  }

  async stop (): Promise<void> {
    if (this.child.exitCode != null) return
    const exited = new Promise(resolve => this.child.once('exit', resolve))
    this.child.send('stop')
    const timer = setTimeout(() => { this.child.kill('SIGKILL') }, 10_000)
    await exited
    clearTimeout(timer)
  }
}

const mb = (bytes: number): string => (bytes / MB).toFixed(1)
const tracked = (m: Memory): number => m.heapUsed + m.arrayBuffers

describe('a hub relaying 1 MB model requests', () => {
  let hub: HubProcess
  let consumer: TestNode
  let server: TestNode
  let upstream: FakeUpstream

  beforeAll(async () => {
    upstream = await startFakeUpstream(() => replies.answer('ok'))
    hub = await HubProcess.start()
    const peers = [{ nodeId: 'hub', url: hub.dialAddr }]
    server = await startNode({ nodeId: 'server', peers, models: [{ id: 'soak-model', upstream: { baseUrl: upstream.baseUrl } }] }, { timing: TIMING })
    consumer = await startNode({ nodeId: 'consumer', peers }, { timing: TIMING })
    await waitUntilReachable(consumer, ['hub', 'server'])
    await waitFor('the consumer to route soak-model to the server', () => consumer.router.models('soak-model').length > 0, 20_000)
  })

  afterAll(async () => {
    await Promise.all([consumer, server].map(async n => { await n?.stop() }))
    await hub?.stop()
    await upstream?.close()
    await removeTempDirs()
  })

  it(`keeps no bytes of the relayed requests (${SOAK_MINUTES > 0 ? `${SOAK_MINUTES} min` : `${DURATION_MS / 1000} s`})`, async () => {
    expect(consumer.peers().find(p => p.nodeId === 'server')).toMatchObject({ path: 'relayed', reachableVia: 'hub' })
    const body = JSON.stringify({ model: 'soak-model', messages: [{ role: 'user', content: 'x'.repeat(MB) }] })
    const ask = async (): Promise<void> => {
      const res = await fetch(`http://127.0.0.1:${consumer.api.port}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${consumer.tokens.apiToken}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(60_000)
      })
      const text = await res.text()
      expect(res.status, text).toBe(200)
      expect(JSON.parse(text).choices[0].message.content).toBe('ok')
    }

    // warm up: the first requests fill pools and caches
    for (let i = 0; i < 3; i++) await ask()
    const before = await hub.memory()
    const startedAt = Date.now()
    let sent = 0
    while (Date.now() - startedAt < DURATION_MS) {
      const next = startedAt + (sent + 1) * REQUEST_INTERVAL_MS
      await ask()
      sent++
      if (SOAK_MINUTES > 0 && sent % 30 === 0) {
        const m = await hub.memory()
        console.log(`after ${sent} requests: hub heap ${mb(m.heapUsed)} MB, ArrayBuffers ${mb(m.arrayBuffers)} MB, rss ${mb(m.rss)} MB`)
      }
      // pace the load: the next request starts on its slot, or at once when behind
      const wait = next - Date.now()
      if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
    }
    const minutes = (Date.now() - startedAt) / 60_000
    const after = await hub.memory()
    const growth = tracked(after) - tracked(before)
    console.log(`${sent} requests of 1 MB through the hub in ${(minutes * 60).toFixed(0)} s; hub after GC: heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB, ArrayBuffers ${mb(before.arrayBuffers)} → ${mb(after.arrayBuffers)} MB, rss ${mb(before.rss)} → ${mb(after.rss)} MB; heap + ArrayBuffers grew ${mb(growth)} MB (${mb(growth / minutes)} MB/min)`)
    expect(sent).toBeGreaterThanOrEqual(MIN_REQUESTS)
    expect(growth).toBeLessThan(MAX_GROWTH_BYTES)
  }, DURATION_MS + 180_000)
})
