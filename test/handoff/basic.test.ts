import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeTempDirs, startHubMesh } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import { agentCommand, collect, failure, HANDOFF_TIMING, runsLog } from './fixtures.js'
import type { HandoffEvent, HandoffResult } from '../../src/handoff/index.js'
import type { AgentRunEvent, AgentRunner } from '../../src/host/ports.js'
import type { TestHubMesh, TestNode } from '../helpers/mesh.js'

/** A host whose agent answers with a long result of its own rather than with its output */
class LongResultRunner implements AgentRunner {
  canRun (agent: string): boolean { return agent === 'reporter' }
  async * run (): AsyncGenerator<AgentRunEvent> {
    yield { type: 'delta', text: 'writing the report\n' }
    yield { type: 'result', result: { success: true, result: 'x'.repeat(5000) + 'THE END' } }
  }

  async send (): Promise<{ accepted: boolean }> { return { accepted: false } }
}

function resultOf (events: HandoffEvent[]): HandoffResult {
  const last = events.at(-1)
  if (last?.type !== 'result') throw new Error('no result')
  return last.result
}

function outputOf (events: HandoffEvent[]): string {
  return events.map(e => e.type === 'delta' ? e.text : '').join('')
}

describe('handoff: requests, limits and agent failures', () => {
  let mesh: TestHubMesh
  let caller: TestNode
  let office: TestNode
  let dir: string
  let failedRuns: string
  let countedRuns: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-handoff-basic-'))
    failedRuns = join(dir, 'failed-runs.log')
    countedRuns = join(dir, 'counted-runs.log')
    const failing = { id: 'failing', command: agentCommand('fail', '--code', '3', '--stderr-bytes', '100000', '--stderr', 'disk full', '--runs', failedRuns) }
    mesh = await startHubMesh([
      { config: { nodeId: 'caller', maxHandoffOutputBytes: 200 } },
      {
        config: {
          nodeId: 'office',
          maxTaskBytes: 1000,
          maxContextBytes: 1000,
          handoffConcurrency: 1,
          agents: [
            { id: 'coder', tags: ['coding'], command: agentCommand('echo', '--', '{task}', '{context}', '{agent}') },
            { id: 'whoami', command: agentCommand('echo', '--', '{agent}:{session}:{context}') },
            { id: 'reader', command: agentCommand('echo') },
            { id: 'idle' },
            { id: 'counted', command: agentCommand('echo', '--runs', countedRuns, '--', '{task}') },
            { id: 'slowpoke', command: agentCommand('chatty', '--every', '50', '--for', '20000') },
            failing
          ]
        }
      },
      { config: { nodeId: 'annex', agents: [failing] } },
      { config: { nodeId: 'reports', agents: [{ id: 'reporter' }], maxHandoffOutputBytes: 1000 }, options: { host: { agentRunner: new LongResultRunner() } } }
    ], { timing: HANDOFF_TIMING })
    caller = mesh.members[0]
    office = mesh.members[1]
  })
  afterAll(async () => {
    await mesh?.stop()
    await removeTempDirs()
    await rm(dir, { recursive: true, force: true })
  })

  it('fills {task}, {context}, {agent} and {session} into the argv, and a task may start with -', async () => {
    const events = await collect(caller.handoff('tags:coding', '-rf /', { context: '{task} stays as it is' }))
    expect(outputOf(events)).toBe('-rf /\n{task} stays as it is\ncoder\n')
    expect(resultOf(events)).toMatchObject({ success: true, nodeId: 'office', agent: 'coder', result: '-rf /\n{task} stays as it is\ncoder\n' })
    const session = await collect(caller.handoff('whoami', 'hi', { sessionId: 's-42' }))
    expect(resultOf(session).result).toBe('whoami:s-42:\n')
  })

  it('says which node runs the task before its output', async () => {
    const events = await collect(caller.handoff('coder', 'one'))
    expect(events[0]).toMatchObject({ type: 'start', nodeId: 'office', peerId: office.peerId, agent: 'coder' })
  })

  it('gives the task on stdin when no argument holds {task}, byte for byte', async () => {
    const task = 'line one\nzweite Zeile: \u00e4\u00f6\u00fc \u2713 \u{1F980}\n'
    const events = await collect(caller.handoff('reader', task))
    expect(outputOf(events)).toBe(task)
    expect(resultOf(events).result).toBe(task)
  })

  it('names an unknown target and lists what is on offer', async () => {
    const err = await failure(caller.handoff('designer', 'draw a cat'))
    expect(err.code).toBe('unknown_target')
    expect(err.message).toMatch(/"designer"/)
    expect(err.offers).toEqual(expect.arrayContaining(['coder', 'reader', 'failing', 'reporter', 'tags:coding', 'office']))
  })

  it('answers no_runner for an agent without a command', async () => {
    const err = await failure(caller.handoff('idle', 'wake up'))
    expect(err.code).toBe('no_runner')
    expect(err.message).toMatch(/agent "idle" on node "office" has nothing to run it/)
  })

  it('refuses a task over the caller\'s own limit before sending anything', async () => {
    const err = await failure(caller.handoff('coder', 'x'.repeat(256 * 1024 + 1)))
    expect(err.code).toBe('task_too_large')
    expect(err.message).toMatch(/over the limit of 262144 bytes \(maxTaskBytes\)/)
  })

  it('gets the serving node\'s refusal for a task or context over its limits', async () => {
    const task = await failure(caller.handoff('counted', 'x'.repeat(1001)))
    expect(task.code).toBe('task_too_large')
    expect(task.message).toMatch(/task of 1001 bytes is over the limit of 1000 bytes \(maxTaskBytes\)/)
    const context = await failure(caller.handoff('counted', 'ok', { context: 'y'.repeat(1001) }))
    expect(context.code).toBe('context_too_large')
    // bigger than the node's whole request frame: refused without reading it
    const frame = await failure(caller.handoff('counted', 'z'.repeat(40_000)))
    expect(frame.code).toBe('request_too_large')
    expect(await runsLog(countedRuns)).toEqual([])
  })

  it('reports a child that exits non-zero with the end of its stderr, and does not retry elsewhere', async () => {
    const events = await collect(caller.handoff('failing', 'deploy'))
    const result = resultOf(events)
    expect(result).toMatchObject({ success: false, code: 'agent_failed', attempts: 1 })
    expect(result.error).toMatch(/exited with code 3: x+\ndisk full$/)
    // stderr is read bounded: 100 000 bytes of it came, only the tail is kept
    expect(result.error?.length).toBeLessThan(17 * 1024)
    expect(outputOf(events)).toBe('starting\n')
    expect((await runsLog(failedRuns)).filter(l => l.startsWith('start'))).toHaveLength(1)
  })

  it('refuses a second run with the same handoffId and runs the task once', async () => {
    const service = caller.libp2p.services.handoff
    const first = await collect(service.run(office.libp2p.peerId, { handoffId: 'dup-1', agent: 'counted', task: 'once' }))
    expect(first.at(-1)).toMatchObject({ type: 'result', result: { success: true } })
    const second = await collect(service.run(office.libp2p.peerId, { handoffId: 'dup-1', agent: 'counted', task: 'once' }))
    expect(second).toEqual([{ type: 'result', result: expect.objectContaining({ success: false, code: 'duplicate' }) }])
    expect((await runsLog(countedRuns)).filter(l => l.startsWith('start'))).toHaveLength(1)
  })

  it('shows a running handoff in status and refuses one over the concurrency limit', async () => {
    const stop = new AbortController()
    const running = collect(caller.handoff('slowpoke', 'take your time', { signal: stop.signal })).catch(err => err)
    const entry = await waitFor('the run to show with output', () => office.libp2p.services.handoff.running().find(r => r.bytes > 0))
    expect(entry).toMatchObject({ caller: caller.peerId, agent: 'slowpoke' })
    expect(entry.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(entry.since).toBeLessThanOrEqual(Date.now())

    const err = await failure(caller.handoff('coder', 'me too'))
    expect(err.code).toBe('busy')
    expect(err.message).toMatch(/node "office" is already running 1 handoffs, its limit \(handoffConcurrency\)/)

    stop.abort(new Error('enough'))
    expect(await running).toMatchObject({ message: 'enough' })
    await waitFor('the run to end', () => office.libp2p.services.handoff.running().length === 0)
  })

  it('keeps only the tail of long output, and says so', async () => {
    const events = await collect(caller.handoff('coder', 'a'.repeat(500)))
    const result = resultOf(events)
    expect(result.truncated).toBe(true)
    expect(result.result).toMatch(/^\[output cut: only the last 200 bytes are kept\]\n/)
    expect(result.result.endsWith('a\n\ncoder\n')).toBe(true)
    expect(outputOf(events)).toHaveLength(500 + 8)
  })

  it('caps the result a serving node sends back to its maxHandoffOutputBytes', async () => {
    const result = resultOf(await collect(caller.handoff('reporter', 'report')))
    expect(result.truncated).toBe(true)
    expect(result.result).toMatch(/^\[output cut: only the last 1000 bytes are kept\]\nx+THE END$/)
  })
})
