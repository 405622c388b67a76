import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeTempDirs, startHubMesh, startNode, waitUntilReachable } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import { agentCommand, HANDOFF_TIMING, isRunning, pidsIn, waitUntilGone } from './fixtures.js'
import type { TestHubMesh, TestNode } from '../helpers/mesh.js'

describe('handoff: the caller goes away mid-run', () => {
  let mesh: TestHubMesh
  let caller: TestNode
  let office: TestNode
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-handoff-cancel-'))
    mesh = await startHubMesh([
      { config: { nodeId: 'caller' } },
      {
        config: {
          nodeId: 'office',
          agents: [
            { id: 'mute', command: agentCommand('silent', '--pid', join(dir, '{session}.pid')) },
            { id: 'talker', command: agentCommand('chatty', '--every', '50', '--for', '30000', '--pid', join(dir, '{session}.pid')) },
            { id: 'stubborn', command: agentCommand('stubborn', '--pid', join(dir, '{session}.pid')) }
          ]
        }
      }
    ], { timing: HANDOFF_TIMING })
    caller = mesh.members[0]
    office = mesh.members[1]
  })
  afterAll(async () => {
    await mesh?.stop()
    await removeTempDirs()
    await rm(dir, { recursive: true, force: true })
  })

  it('kills the remote child when the caller aborts', async () => {
    const stop = new AbortController()
    const run = (async () => {
      for await (const event of caller.handoff('mute', 'wait', { sessionId: 'aborted', signal: stop.signal })) void event
    })()
    const [pid] = await pidsIn(join(dir, 'aborted.pid'))
    stop.abort(new Error('user pressed Ctrl-C'))
    await expect(run).rejects.toThrow('user pressed Ctrl-C')
    // the caller waits for the cancelled stream to close, and the node closes it once the child is gone
    expect(isRunning(pid)).toBe(false)
    expect(office.libp2p.services.handoff.running()).toEqual([])
  })

  it('kills the remote child when the consumer stops reading', async () => {
    for await (const event of caller.handoff('talker', 'go', { sessionId: 'left' })) {
      if (event.type === 'delta') break
    }
    const [pid] = await pidsIn(join(dir, 'left.pid'))
    expect(isRunning(pid)).toBe(false)
    expect(office.libp2p.services.handoff.running()).toEqual([])
  })

  it('kills the remote child when the calling node disappears', async () => {
    const gone = await startNode({ nodeId: 'gone', peers: [{ nodeId: 'hub', url: mesh.hub.dialAddr }] }, { timing: HANDOFF_TIMING })
    try {
      await waitUntilReachable(gone, ['office'])
      const run = (async () => {
        for await (const event of gone.handoff('talker', 'go', { sessionId: 'vanished' })) void event
      })().catch(() => {})
      const [pid] = await pidsIn(join(dir, 'vanished.pid'))
      await waitFor('the run to be under way', () => office.libp2p.services.handoff.running().some(r => r.bytes > 0))
      // no cancel frame: the connections just drop
      for (const connection of gone.libp2p.getConnections()) connection.abort(new Error('power cut'))
      await waitUntilGone(pid)
      await waitFor('the run to end', () => office.libp2p.services.handoff.running().length === 0)
      await run
    } finally {
      await gone.stop()
    }
  })

  it('kills the whole process group, members that ignore SIGTERM included', async () => {
    const stop = new AbortController()
    const run = (async () => {
      for await (const event of caller.handoff('stubborn', 'dig in', { sessionId: 'group', signal: stop.signal })) void event
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
