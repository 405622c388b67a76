import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HandoffError } from '../../src/handoff/index.js'
import { startCliNode } from '../helpers/cli.js'
import { removeTempDirs, startHubMesh, TEST_SECRET, waitUntilReachable } from '../helpers/mesh.js'
import { agentCommand, HANDOFF_TIMING, pidsIn, waitUntilGone } from './fixtures.js'
import type { CliNode } from '../helpers/cli.js'
import type { TestHubMesh, TestNode } from '../helpers/mesh.js'
import type { HandoffEvent } from '../../src/handoff/index.js'
import type { ConfigInput } from '../../src/config/schema.js'

type AgentConfig = NonNullable<ConfigInput['agents']>[number]

describe('handoff: the serving node dies mid-run', () => {
  let mesh: TestHubMesh
  let caller: TestNode
  let dir: string
  const servers = new Map<string, CliNode>()

  /** chatty for `forMs`, its pid in <dir>/<nodeId>.pid */
  const builder = (nodeId: string, forMs: number): AgentConfig[] =>
    [{ id: 'builder', command: agentCommand('chatty', '--every', '100', '--for', String(forMs), '--pid', join(dir, `${nodeId}.pid`)) }]

  /** `clawmatrix start` in a process of its own, dialling out to the hub only */
  const startServer = async (nodeId: string, agents: AgentConfig[]): Promise<CliNode> =>
    await startCliNode({ nodeId, secret: TEST_SECRET, proxyPort: 0, peers: [{ nodeId: 'hub', url: mesh.hub.dialAddr }], agents })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-handoff-failover-'))
    mesh = await startHubMesh([{ config: { nodeId: 'caller' } }], { timing: HANDOFF_TIMING })
    caller = mesh.members[0]
    const started = await Promise.allSettled([
      startServer('left', builder('left', 1500)),
      startServer('right', builder('right', 1500)),
      startServer('solo', [{ id: 'loner', command: agentCommand('silent', '--pid', join(dir, 'solo.pid')) }])
    ])
    for (const result of started) if (result.status === 'fulfilled') servers.set(result.value.nodeId, result.value)
    const failed = started.find(s => s.status === 'rejected')
    if (failed != null) throw failed.reason
    await waitUntilReachable(caller, [...servers.keys()])
  }, 60_000)
  afterAll(async () => {
    await Promise.all([...servers.values()].map(async s => {
      await s.kill()
      await rm(s.dir, { recursive: true, force: true })
    }))
    await mesh?.stop()
    await removeTempDirs()
    await rm(dir, { recursive: true, force: true })
  })

  it('does not start over once output has arrived: the handoff ends with node_lost', async () => {
    const events: HandoffEvent[] = []
    let killed: string | undefined
    let caught: unknown
    try {
      for await (const event of caller.handoff('builder', 'build it', { timeoutMs: 5000 })) {
        events.push(event)
        if (event.type === 'delta' && killed == null) {
          killed = (events.findLast(e => e.type === 'start') as Extract<HandoffEvent, { type: 'start' }>).nodeId
          await servers.get(killed)?.kill()
        }
      }
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(HandoffError)
    expect(caught).toMatchObject({ code: 'node_lost' })
    expect((caught as Error).message).toMatch(new RegExp(`^Handoff to "builder" lost node "${killed ?? ''}" after output had arrived, so it is not started over elsewhere: `))
    expect(events.filter(e => e.type === 'start')).toHaveLength(1)
    expect(events.filter(e => e.type === 'retry')).toEqual([])

    // the dead node's child ends with it
    const [orphan] = await pidsIn(join(dir, `${killed ?? ''}.pid`))
    await waitUntilGone(orphan)
  })

  it('fails clearly when no other node offers the target', async () => {
    const events = caller.handoff('loner', 'alone', { timeoutMs: 5000 })
    let caught: unknown
    try {
      for await (const event of events) {
        // killed before any output, so the task could start over, but nobody else offers it
        if (event.type === 'start') void pidsIn(join(dir, 'solo.pid')).then(async () => { await servers.get('solo')?.kill() })
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
