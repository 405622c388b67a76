import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handoffThroughMesh } from '../../src/handoff/index.js'
import { waitFor } from '../helpers/wait.js'
import { connect, joinHub, startAgentMesh, startAgentNode } from './agent-mesh.js'
import { agentCommand, isRunning, pidsIn, waitUntilGone } from './fixtures.js'

describe('handoff: the caller goes away mid-run', () => {
  let mesh: Awaited<ReturnType<typeof startAgentMesh>>
  let dir: string
  let serving: typeof mesh.servers[0]

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-handoff-cancel-'))
    mesh = await startAgentMesh([{
      nodeId: 'office',
      agents: [
        { id: 'mute', command: agentCommand('silent', '--pid', join(dir, '{session}.pid')) },
        { id: 'talker', command: agentCommand('chatty', '--every', '50', '--for', '30000', '--pid', join(dir, '{session}.pid')) },
        { id: 'stubborn', command: agentCommand('stubborn', '--pid', join(dir, '{session}.pid')) }
      ]
    }])
    serving = mesh.servers[0]
  })
  afterAll(async () => {
    await mesh?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('kills the remote child when the caller aborts', async () => {
    const stop = new AbortController()
    const run = (async () => {
      for await (const event of handoffThroughMesh(mesh.caller, 'mute', 'wait', { sessionId: 'aborted', signal: stop.signal })) void event
    })()
    const [pid] = await pidsIn(join(dir, 'aborted.pid'))
    stop.abort(new Error('user pressed Ctrl-C'))
    await expect(run).rejects.toThrow('user pressed Ctrl-C')
    // the caller waits for the cancelled stream to close, and the node closes it once the child is gone
    expect(isRunning(pid)).toBe(false)
    expect(serving.handoff.running()).toEqual([])
  })

  it('kills the remote child when the consumer stops reading', async () => {
    for await (const event of handoffThroughMesh(mesh.caller, 'talker', 'go', { sessionId: 'left' })) {
      if (event.type === 'delta') break
    }
    const [pid] = await pidsIn(join(dir, 'left.pid'))
    expect(isRunning(pid)).toBe(false)
    expect(serving.handoff.running()).toEqual([])
  })

  it('kills the remote child when the calling node disappears', async () => {
    const gone = await startAgentNode({ nodeId: 'gone' })
    try {
      await joinHub(gone, mesh.hub)
      await connect(gone, serving.address())
      const run = (async () => {
        for await (const event of handoffThroughMesh(gone, 'talker', 'go', { sessionId: 'vanished' })) void event
      })().catch(() => {})
      const [pid] = await pidsIn(join(dir, 'vanished.pid'))
      await waitFor('the run to be under way', () => serving.handoff.running().some(r => r.bytes > 0))
      // no cancel frame: the connections just drop
      for (const connection of gone.libp2p.getConnections()) connection.abort(new Error('power cut'))
      await waitUntilGone(pid)
      await waitFor('the run to end', () => serving.handoff.running().length === 0)
      await run
    } finally {
      await gone.stop()
    }
  })

  it('kills the whole process group, members that ignore SIGTERM included', async () => {
    const stop = new AbortController()
    const run = (async () => {
      for await (const event of handoffThroughMesh(mesh.caller, 'stubborn', 'dig in', { sessionId: 'group', signal: stop.signal })) void event
    })()
    const [pid, grandchild] = await waitFor('both pids', async () => {
      const pids = await pidsIn(join(dir, 'group.pid'))
      return pids.length === 2 ? pids : null
    })
    stop.abort(new Error('stop digging'))
    await expect(run).rejects.toThrow('stop digging')
    await waitUntilGone(pid)
    await waitUntilGone(grandchild)
  })
})
