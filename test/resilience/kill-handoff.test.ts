import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { HandoffError } from '../../src/handoff/index.js'
import { agentCommand, HANDOFF_TIMING } from '../handoff/fixtures.js'
import { CLI, startCliNode, writeConfig } from '../helpers/cli.js'
import { removeTempDirs, startHubMesh, TEST_SECRET, waitUntilReachable } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import { isRunning as isLive } from '../tool/processes.js'
import type { HandoffEvent } from '../../src/handoff/index.js'
import type { CliNode } from '../helpers/cli.js'
import type { TestHubMesh, TestNode } from '../helpers/mesh.js'

/** kills of each kind; CLAWMATRIX_KILL_RUNS=20 for a long run */
const RUNS = Number(process.env.CLAWMATRIX_KILL_RUNS ?? 2)
/** how long the processes of a killed node's run may take to be gone */
const GONE_WITHIN_MS = 5000

interface RunLine { what: string, at: number, pid: number, node: string, task: string }

/** the lines the recorded.mjs fixture wrote for `task` */
async function runLines (file: string, task: string): Promise<RunLine[]> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text.split('\n').filter(line => line !== '').map(line => {
    const [what, at, pid, node, lineTask] = line.split(' ')
    return { what, at: Number(at), pid: Number(pid), node, task: lineTask }
  }).filter(line => line.task === task)
}

/** pids still live after a bounded wait for all of them to be gone */
async function leftAlive (pids: number[]): Promise<number[]> {
  try {
    await waitFor(`processes ${pids.join(', ')} to be gone`, () => pids.every(pid => !isLive(pid)), GONE_WITHIN_MS)
  } catch {}
  return pids.filter(isLive)
}

describe('kill -9 of a serving node mid-handoff', () => {
  let mesh: TestHubMesh
  let caller: TestNode
  let dir: string
  let runsFile: string
  let callerConfig: string
  const servers = new Map<string, CliNode>()
  let serial = 0
  const figures = { kills: 0, overlapping: 0, orphans: 0 }

  /** records every run in runsFile, each line tagged with its node and task; prints once go-<task> exists */
  const recorder = (nodeId: string, ...extra: string[]): string[] =>
    agentCommand('recorded', '--runs', runsFile, '--node', nodeId, '--go', join(dir, 'go-{task}'), '--task', '{task}', ...extra)

  async function startServer (): Promise<CliNode> {
    const nodeId = `s${serial++}`
    const server = await startCliNode({
      nodeId,
      secret: TEST_SECRET,
      proxyPort: 0,
      peers: [{ nodeId: 'hub', url: mesh.hub.dialAddr }],
      agents: [
        { id: 'recorder', command: recorder(nodeId) },
        { id: 'lingerer', command: recorder(nodeId, '--linger', '1000') }
      ],
      toolProxy: { enabled: true, allow: ['exec'] }
    })
    servers.set(nodeId, server)
    return server
  }

  /** two live serving nodes, both connected to the caller */
  async function twoServers (): Promise<void> {
    while (servers.size < 2) await startServer()
    await waitUntilReachable(caller, [...servers.keys()])
  }

  async function kill (nodeId: string): Promise<void> {
    const server = servers.get(nodeId)
    if (server == null) throw new Error(`no serving node ${nodeId} to kill`)
    servers.delete(nodeId)
    await server.kill()
    figures.kills++
    await rm(server.dir, { recursive: true, force: true })
  }

  /** after a kill: the processes of the killed node's runs of `task` that are still there */
  async function orphansOf (task: string, nodeId: string): Promise<number[]> {
    const pids = (await runLines(runsFile, task)).filter(l => l.node === nodeId && (l.what === 'start' || l.what === 'grandchild')).map(l => l.pid)
    expect(pids.length).toBe(2)
    const left = await leftAlive(pids)
    figures.orphans += left.length
    return left
  }

  /** once the run of `task` on `nodeId` has started its grandchild */
  async function runStarted (task: string, nodeId: string): Promise<void> {
    await waitFor(`the run on ${nodeId} to start its grandchild`, async () => (await runLines(runsFile, task)).some(l => l.node === nodeId && l.what === 'grandchild'), 20_000)
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-kill-handoff-'))
    runsFile = join(dir, 'runs.log')
  })
  // a mesh of its own for every test, so that one test's dead members do not weigh on the next
  beforeEach(async () => {
    // pings as patient as a default node's: on a loaded machine a node busy starting an agent may
    // answer late, and a connection closed for that would fail a run for a reason other than the kill
    mesh = await startHubMesh([{ config: { nodeId: 'caller' } }], { timing: { ...HANDOFF_TIMING, pingIntervalMs: 5000, silentAfterMs: 10_000 } })
    caller = mesh.members[0]
    callerConfig = await writeConfig({ nodeId: 'caller', secret: TEST_SECRET, proxyPort: caller.api.port, dataDir: caller.config.dataDir }, await mkdtemp(join(dir, 'caller-')))
  }, 60_000)
  afterEach(async () => {
    await Promise.all([...servers.values()].map(async server => {
      await server.kill()
      await rm(server.dir, { recursive: true, force: true })
    }))
    servers.clear()
    await mesh?.stop()
    await removeTempDirs()
  })
  afterAll(async () => {
    console.log(`kill -9 of a serving node mid-run x ${figures.kills}: ${figures.overlapping} overlapping runs, ${figures.orphans} orphaned processes`)
    await rm(dir, { recursive: true, force: true })
  })

  it('before any output: the task starts over on another node only once the first run and its setsid grandchild are dead', async () => {
    for (let round = 0; round < RUNS; round++) {
      await twoServers()
      const task = `quiet-${round}`
      const events: HandoffEvent[] = []
      let killed: string | undefined
      const acting: Array<Promise<void>> = []
      for await (const event of caller.handoff('recorder', task, { timeoutMs: 30_000 })) {
        events.push(event)
        if (event.type !== 'start') continue
        const first = killed == null
        if (first) killed = event.nodeId
        acting.push((async () => {
          // once the run has started its grandchild (and printed nothing), kill its node, or let the second one print
          await runStarted(task, event.nodeId)
          if (first) await kill(event.nodeId)
          else await writeFile(join(dir, `go-${task}`), '')
        })())
      }
      await Promise.all(acting)
      const starts = events.filter(e => e.type === 'start').map(e => e.type === 'start' ? e.nodeId : '')
      expect(starts).toHaveLength(2)
      expect(starts[0]).toBe(killed)
      expect(events.find(e => e.type === 'retry')).toMatchObject({ nodeId: killed, code: 'unreachable' })
      const last = events.at(-1)
      expect(last).toMatchObject({ type: 'result', result: { success: true, nodeId: starts[1], attempts: 2 } })
      expect(last?.type === 'result' && last.result.result).toMatch(/^tick 0\n(tick \d+\n)*done\n$/)

      const lines = await runLines(runsFile, task)
      // the second run found none of the first run's processes alive when it started
      const overlaps = lines.filter(l => l.what === 'overlap')
      figures.overlapping += overlaps.length
      expect(overlaps).toEqual([])
      expect(lines.filter(l => l.what === 'start').map(l => l.node)).toEqual(starts)
      expect(await orphansOf(task, killed ?? '')).toEqual([])
    }
  }, 60_000 + RUNS * 30_000)

  it('after output: the handoff ends with node_lost, nothing starts over, and the killed node leaves no process', async () => {
    for (let round = 0; round < RUNS; round++) {
      await twoServers()
      const task = `loud-${round}`
      await writeFile(join(dir, `go-${task}`), '')
      const events: HandoffEvent[] = []
      let caught: unknown
      let killed: string | undefined
      try {
        for await (const event of caller.handoff('recorder', task, { timeoutMs: 30_000 })) {
          events.push(event)
          if (event.type === 'delta' && killed == null) {
            killed = (events.findLast(e => e.type === 'start') as Extract<HandoffEvent, { type: 'start' }>).nodeId
            await kill(killed)
          }
        }
      } catch (err) {
        caught = err
      }
      expect(caught, JSON.stringify(events)).toBeInstanceOf(HandoffError)
      expect(caught).toMatchObject({ code: 'node_lost' })
      expect((caught as Error).message).toMatch(new RegExp(`^Handoff to "recorder" lost node "${killed ?? ''}" after output had arrived, so it is not started over elsewhere: `))
      expect(events.filter(e => e.type === 'start')).toHaveLength(1)
      expect(events.filter(e => e.type === 'retry')).toEqual([])
      expect((await runLines(runsFile, task)).filter(l => l.what === 'start')).toHaveLength(1)
      expect(await orphansOf(task, killed ?? '')).toEqual([])
    }
  }, 60_000 + RUNS * 30_000)

  it('a lost connection to a node that lives on: the task starts over only after the abandoned run has ended', async () => {
    await twoServers()
    const task = 'cut-0'
    const events: HandoffEvent[] = []
    let cut: string | undefined
    const acting: Array<Promise<void>> = []
    for await (const event of caller.handoff('lingerer', task, { timeoutMs: 30_000 })) {
      events.push(event)
      if (event.type !== 'start') continue
      const first = cut == null
      if (first) cut = event.nodeId
      acting.push((async () => {
        await runStarted(task, event.nodeId)
        // the node keeps running, but loses the caller: it stops the run, which takes 1 s to end after SIGTERM
        if (first) await caller.libp2p.hangUp(peerIdFromString(event.peerId))
        else await writeFile(join(dir, `go-${task}`), '')
      })())
    }
    await Promise.all(acting)
    const lines = await runLines(runsFile, task)
    expect(events.at(-1)).toMatchObject({ type: 'result', result: { success: true, attempts: 2 } })
    expect(lines.filter(l => l.what === 'overlap')).toEqual([])
    const firstEnd = lines.find(l => l.node === cut && l.what === 'end')
    const secondStart = lines.find(l => l.node !== cut && l.what === 'start')
    expect(lines.find(l => l.node === cut && l.what === 'term')).toBeDefined()
    expect(firstEnd?.at).toBeLessThan(secondStart?.at ?? 0)
  }, 60_000)

  it('clawmatrix handoff exits non-zero with node_lost on stderr when the node dies after output', async () => {
    await twoServers()
    const task = 'cli-0'
    await writeFile(join(dir, `go-${task}`), '')
    const child = spawn(process.execPath, [CLI, 'handoff', 'recorder', task, '--config', callerConfig], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const exited = new Promise<number | null>(resolve => child.on('close', resolve))
    let killing: Promise<void> | undefined
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
      killing ??= (async () => {
        const start = (await runLines(runsFile, task)).find(l => l.what === 'start')
        await kill(start?.node ?? '')
      })()
    })
    const timer = setTimeout(() => { child.kill('SIGKILL') }, 30_000)
    const code = await exited
    clearTimeout(timer)
    await killing
    expect(code).toBe(1)
    expect(stderr).toMatch(/^error \[node_lost\]: Handoff to "recorder" lost node "s\d+" after output had arrived/)
    expect(stderr).not.toMatch(/starting over/)
    expect(stdout).toMatch(/^tick 0\n(tick \d+\n)*$/)
    expect((await runLines(runsFile, task)).filter(l => l.what === 'start')).toHaveLength(1)
  }, 60_000)

  describe('exec with a grandchild in a session of its own (setsid)', () => {
    /** a shell that starts `sleep` under setsid, writes "<shell pid> <sleep pid>" and waits */
    const setsidSleeper = (file: string): string => `setsid sleep 300 & echo $$ $! > ${file}; wait`
    const pidsFrom = async (file: string): Promise<number[]> => {
      const text = await waitFor(`${file} to be written`, async () => await readFile(file, 'utf8').then(t => t.endsWith('\n') ? t : null, () => null))
      return text.trim().split(' ').map(Number)
    }

    it('the node killed: neither the shell nor the grandchild is left', async () => {
      await twoServers()
      const [target] = servers.keys()
      const file = join(dir, 'exec-killed.pids')
      const call = caller.invokeTool(target, 'exec', { command: setsidSleeper(file) })
      // the call ends only with the node (the command sleeps); it must not end before
      const pids = await Promise.race([pidsFrom(file), call.then(result => { throw new Error(`exec ended early: ${JSON.stringify(result)}`) })])
      expect(pids.every(isLive)).toBe(true)
      await kill(target)
      await call.catch(() => {})
      const left = await leftAlive(pids)
      figures.orphans += left.length
      expect(left).toEqual([])
    })

    it('the node alive, the command timed out or cancelled: the grandchild is killed too', async () => {
      await twoServers()
      const [target] = servers.keys()
      const timedOut = join(dir, 'exec-timeout.pids')
      await expect(caller.invokeTool(target, 'exec', { command: setsidSleeper(timedOut), timeout: 1 })).rejects.toMatchObject({ code: 'timeout' })
      expect(await leftAlive(await pidsFrom(timedOut))).toEqual([])

      const cancelled = join(dir, 'exec-cancel.pids')
      const controller = new AbortController()
      const call = caller.invokeTool(target, 'exec', { command: setsidSleeper(cancelled) }, { signal: controller.signal })
      const pids = await pidsFrom(cancelled)
      expect(pids.every(isLive)).toBe(true)
      controller.abort(new Error('caller cancelled'))
      await expect(call).rejects.toThrow('caller cancelled')
      expect(await leftAlive(pids)).toEqual([])
    })
  })
})
