import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HandoffError } from '../../src/handoff/index.js'
import { ProcessAgentRunner } from '../../src/standalone/process-agent-runner.js'
import { removeTempDirs, startHubMesh } from '../helpers/mesh.js'
import { agentCommand, deliveryLog, HANDOFF_TIMING, isRunning, pidsIn, waitUntilGone } from './fixtures.js'
import type { TestHubMesh, TestNode } from '../helpers/mesh.js'

describe('send: one-way messages to agents', () => {
  let mesh: TestHubMesh
  let caller: TestNode
  let office: TestNode
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-handoff-send-'))
    const agents = [
      { id: 'inbox', command: agentCommand('chatty', '--every', '50', '--for', '600', '--pid', join(dir, 'inbox.pid'), '--', '{task}') },
      { id: 'reader', command: agentCommand('echo') },
      { id: 'lazy' }
    ]
    // the standalone runner, allowed one running delivery at a time
    const dataDir = join(dir, 'office')
    const runner = new ProcessAgentRunner({ agents, dataDir, maxRunningDeliveries: 1 })
    mesh = await startHubMesh([
      { config: { nodeId: 'caller' } },
      { config: { nodeId: 'office', agents }, options: { dataDir, host: { agentRunner: runner } } }
    ], { timing: HANDOFF_TIMING })
    caller = mesh.members[0]
    office = mesh.members[1]
  })
  afterAll(async () => {
    await mesh?.stop()
    await removeTempDirs()
    await rm(dir, { recursive: true, force: true })
  })

  async function refusal (target: string, message: string): Promise<HandoffError> {
    const err = await caller.send(target, message).catch(e => e)
    expect(err).toBeInstanceOf(HandoffError)
    return err
  }

  it('acknowledges once the command runs, without waiting for it, and keeps its output in dataDir', async () => {
    const ack = await caller.send('inbox', 'you have mail')
    expect(ack).toMatchObject({ accepted: true, nodeId: 'office', agent: 'inbox', peerId: office.peerId })
    const [pid] = await pidsIn(join(dir, 'inbox.pid'))
    expect(isRunning(pid)).toBe(true)
    // one delivery at a time on this node: the next one is refused while the first runs
    const busy = await refusal('inbox', 'more mail')
    expect(busy.message).toMatch(/1 earlier messages are still being handled/)

    expect(await deliveryLog(office, 'inbox', ack.deliveryId ?? '')).toMatch(/^# \S+ started \S+, ended \S+, exit code 0\ntick 0\n(tick \d+\n)*done\n$/)
    await waitUntilGone(pid)
  })

  it('gives the message on stdin when no argument holds {task}', async () => {
    const ack = await caller.send('reader', 'read me\n')
    expect(await deliveryLog(office, 'reader', ack.deliveryId ?? '')).toMatch(/\nread me\n$/)
  })

  it('refuses what it cannot deliver, saying why', async () => {
    expect(await refusal('lazy', 'hello')).toMatchObject({ code: 'no_runner' })
    const unknown = await refusal('nobody', 'hello')
    expect(unknown.code).toBe('unknown_target')
    expect(unknown.offers).toEqual(expect.arrayContaining(['inbox', 'reader', 'lazy']))
    expect(await refusal('reader', 'x'.repeat(256 * 1024 + 1))).toMatchObject({ code: 'task_too_large' })
    expect(await refusal('reader', '')).toMatchObject({ code: 'bad_request' })
  })
})
