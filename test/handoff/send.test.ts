import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HandoffError, sendThroughMesh } from '../../src/handoff/index.js'
import { DELIVERIES_DIR, ProcessAgentRunner } from '../../src/standalone/process-agent-runner.js'
import { waitFor } from '../helpers/wait.js'
import { startAgentMesh } from './agent-mesh.js'
import { agentCommand, isRunning, pidsIn, waitUntilGone } from './fixtures.js'

describe('send: one-way messages to agents', () => {
  let mesh: Awaited<ReturnType<typeof startAgentMesh>>
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-handoff-send-'))
    const agents = [
      { id: 'inbox', command: agentCommand('chatty', '--every', '50', '--for', '600', '--pid', join(dir, 'inbox.pid'), '--', '{task}') },
      { id: 'reader', command: agentCommand('echo') },
      { id: 'lazy' }
    ]
    mesh = await startAgentMesh([{ nodeId: 'office', agents, runner: new ProcessAgentRunner({ agents, dataDir: dir, maxRunningDeliveries: 1 }) }])
  })
  afterAll(async () => {
    await mesh?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function refusal (target: string, message: string): Promise<HandoffError> {
    const err = await sendThroughMesh(mesh.caller, target, message).catch(e => e)
    expect(err).toBeInstanceOf(HandoffError)
    return err
  }

  it('acknowledges once the command runs, without waiting for it, and keeps its output in dataDir', async () => {
    const ack = await sendThroughMesh(mesh.caller, 'inbox', 'you have mail')
    expect(ack).toMatchObject({ accepted: true, nodeId: 'office', agent: 'inbox', peerId: mesh.servers[0].libp2p.peerId.toString() })
    const [pid] = await pidsIn(join(dir, 'inbox.pid'))
    expect(isRunning(pid)).toBe(true)
    // one delivery at a time on this node: the next one is refused while the first runs
    const busy = await refusal('inbox', 'more mail')
    expect(busy.message).toMatch(/1 earlier messages are still being handled/)

    const log = join(dir, DELIVERIES_DIR, 'inbox', `${ack.deliveryId ?? ''}.log`)
    const output = await waitFor('the output file', async () => await readFile(log, 'utf8').catch(() => null))
    expect(output).toMatch(/^# \S+ started \S+, ended \S+, exit code 0\ntick 0\n(tick \d+\n)*done\n$/)
    await waitUntilGone(pid)
  })

  it('gives the message on stdin when no argument holds {task}', async () => {
    const ack = await sendThroughMesh(mesh.caller, 'reader', 'read me\n')
    const log = join(dir, DELIVERIES_DIR, 'reader', `${ack.deliveryId ?? ''}.log`)
    expect(await waitFor('the output file', async () => await readFile(log, 'utf8').catch(() => null))).toMatch(/\nread me\n$/)
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
