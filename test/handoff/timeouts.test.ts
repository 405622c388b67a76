import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeTempDirs, startHubMesh } from '../helpers/mesh.js'
import { agentCommand, collect, failure, HANDOFF_TIMING, isRunning, pidsIn, runsLog, silentShellAgent, waitUntilGone } from './fixtures.js'
import type { TestHubMesh, TestNode } from '../helpers/mesh.js'

describe('handoff: idle timeouts', () => {
  let mesh: TestHubMesh
  let caller: TestNode
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-handoff-timeouts-'))
    const worker = {
      id: 'worker',
      command: agentCommand('once-silent', '--state', join(dir, 'worker.state'), '--runs', join(dir, 'worker-runs.log'), '--late', 'LATE OUTPUT')
    }
    mesh = await startHubMesh([
      { config: { nodeId: 'caller' } },
      {
        config: {
          nodeId: 'one',
          agents: [
            { id: 'mute', command: silentShellAgent(join(dir, 'mute.pid')) },
            { id: 'talker', command: agentCommand('chatty', '--every', '100', '--for', '4000') },
            worker
          ]
        }
      },
      { config: { nodeId: 'two', agents: [worker] } },
      { config: { nodeId: 'strict', handoffTimeout: 400, agents: [{ id: 'hushed', command: silentShellAgent(join(dir, 'hushed.pid')) }] } }
    ], { timing: HANDOFF_TIMING })
    caller = mesh.members[0]
  })
  afterAll(async () => {
    await mesh?.stop()
    await removeTempDirs()
    await rm(dir, { recursive: true, force: true })
  })

  it('gives up on a child silent for longer than the timeout and kills it', async () => {
    const err = await failure(caller.handoff('mute', 'say something', { timeoutMs: 700 }))
    expect(err.code).toBe('timeout')
    expect(err.message).toMatch(/^Handoff to "mute" timed out on node "one", and no other node offers it: .*sent nothing for 700 ms/)
    const [pid] = await pidsIn(join(dir, 'mute.pid'))
    // the run was cancelled and its stream closed only after the child was gone
    expect(isRunning(pid)).toBe(false)
  })

  it('keeps a child that prints for longer than the timeout', async () => {
    // the child runs for 4 s by its own clock: much longer than the timeout, which allows for a slow start
    const events = await collect(caller.handoff('talker', 'keep going', { timeoutMs: 1500 }))
    const last = events.at(-1)
    expect(last).toMatchObject({ type: 'result', result: { success: true } })
    expect(last?.type === 'result' && last.result.result).toMatch(/^tick 0\n(tick \d+\n)*done\n$/)
  })

  it('ends a run on the serving node\'s own idle limit, which is shorter than the caller\'s', async () => {
    const err = await failure(caller.handoff('hushed', 'psst', { timeoutMs: 20_000 }))
    expect(err.code).toBe('timeout')
    expect(err.message).toMatch(/agent "hushed" on node "strict" sent nothing for 400 ms/)
    const [pid] = await pidsIn(join(dir, 'hushed.pid'))
    expect(isRunning(pid)).toBe(false)
  })

  it('after a timeout, cancels the run, waits for it to end, and starts over on a different node', async () => {
    const events = await collect(caller.handoff('worker', 'do it', { timeoutMs: 2000 }))
    const starts = events.filter(e => e.type === 'start')
    expect(starts).toHaveLength(2)
    expect(new Set(starts.map(s => s.type === 'start' && s.nodeId)).size).toBe(2)
    const retry = events.find(e => e.type === 'retry')
    expect(retry).toMatchObject({ code: 'timeout', nodeId: starts[0].type === 'start' ? starts[0].nodeId : '' })

    // what the abandoned run printed while being killed never reaches the caller
    const output = events.map(e => e.type === 'delta' ? e.text : '').join('')
    expect(output).toMatch(/^done by \d+\n$/)
    const last = events.at(-1)
    expect(last).toMatchObject({ type: 'result', result: { success: true, attempts: 2, nodeId: starts[1].type === 'start' ? starts[1].nodeId : '' } })

    // the first run was over before the second began: never two at once
    const [silentPid] = await pidsIn(join(dir, 'worker.state'))
    await waitUntilGone(silentPid)
    const runs = (await runsLog(join(dir, 'worker-runs.log'))).map(line => line.replace(/ +/g, ' '))
    expect(runs.slice(0, 3)).toEqual([`start ${silentPid}`, `end ${silentPid}`, expect.stringMatching(/^start \d+$/)])
  })
})
