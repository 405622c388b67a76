import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HandoffError, handoffThroughMesh } from '../../src/handoff/index.js'
import { connect, joinHub, startAgentNode } from './agent-mesh.js'
import { agentCommand, pidsIn, waitUntilGone } from './fixtures.js'
import { spawnServingNode } from './serving-process.js'
import type { AgentNode } from './agent-mesh.js'
import type { ServingProcess } from './serving-process.js'
import type { HandoffEvent } from '../../src/handoff/index.js'

describe('handoff: the serving node dies mid-run', () => {
  let hub: AgentNode
  let caller: AgentNode
  let dir: string
  const servers = new Map<string, ServingProcess>()

  /** chatty for `forMs`, its pid in <dir>/<nodeId>.pid */
  const builder = (nodeId: string, forMs: number): Array<{ id: string, command: string[] }> =>
    [{ id: 'builder', command: agentCommand('chatty', '--every', '100', '--for', String(forMs), '--pid', join(dir, `${nodeId}.pid`)) }]

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-handoff-failover-'))
    hub = await startAgentNode({ nodeId: 'hub', listen: true })
    caller = await startAgentNode({ nodeId: 'caller' })
    await joinHub(caller, hub)
    const hubAddr = hub.address()
    const started = await Promise.all([
      spawnServingNode(hubAddr, 'left', builder('left', 1500)),
      spawnServingNode(hubAddr, 'right', builder('right', 1500)),
      spawnServingNode(hubAddr, 'solo', [{ id: 'loner', command: agentCommand('chatty', '--every', '100', '--for', '30000', '--pid', join(dir, 'solo.pid')) }])
    ])
    for (const server of started) {
      servers.set(server.nodeId, server)
      await connect(caller, server.address)
    }
  }, 60_000)
  afterAll(async () => {
    await Promise.all([...servers.values()].map(async s => { await s.kill() }))
    await Promise.all([caller, hub].map(async n => { await n?.stop() }))
    await rm(dir, { recursive: true, force: true })
  })

  it('starts over on the other node offering the agent', async () => {
    const events: HandoffEvent[] = []
    let killed: string | undefined
    for await (const event of handoffThroughMesh(caller, 'builder', 'build it', { timeoutMs: 5000 })) {
      events.push(event)
      if (event.type === 'delta' && killed == null) {
        killed = (events.find(e => e.type === 'start') as Extract<HandoffEvent, { type: 'start' }>).nodeId
        await servers.get(killed)?.kill()
      }
    }
    const survivor = killed === 'left' ? 'right' : 'left'
    expect(events.find(e => e.type === 'retry')).toMatchObject({ nodeId: killed, code: 'unreachable' })
    expect(events.filter(e => e.type === 'start').map(e => e.type === 'start' && e.nodeId)).toEqual([killed, survivor])
    expect(events.at(-1)).toMatchObject({ type: 'result', result: { success: true, nodeId: survivor, attempts: 2 } })
    const result = events.at(-1) as Extract<HandoffEvent, { type: 'result' }>
    expect(result.result.result).toMatch(/^tick 0\n(tick \d+\n)*done\n$/)

    // the dead node's child loses its pipe at its next write and ends with it
    const [orphan] = await pidsIn(join(dir, `${killed}.pid`))
    await waitUntilGone(orphan)
  })

  it('fails clearly when no other node offers the target', async () => {
    const events = handoffThroughMesh(caller, 'loner', 'alone', { timeoutMs: 5000 })
    let caught: unknown
    try {
      for await (const event of events) {
        if (event.type === 'delta') await servers.get('solo')?.kill()
      }
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(HandoffError)
    expect(caught).toMatchObject({ code: 'unreachable' })
    expect((caught as Error).message).toMatch(/^Handoff to "loner" failed on node "solo", and no other node offers it: /)
    const [orphan] = await pidsIn(join(dir, 'solo.pid'))
    await waitUntilGone(orphan)
  })
})
