import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditLines, rejection, ToolTestMesh } from './tool-nodes.js'
import { waitFor } from '../helpers/wait.js'
import { MAX_CONCURRENT_CALLS } from '../../src/tool/constants.js'
import { ToolError, ToolStreamError } from '../../src/tool/errors.js'
import { perPeerLimit } from '../../src/limits/peer-slots.js'
import type { ToolNode } from './tool-nodes.js'

/** Calls refused for load carry `busy`, and one member cannot take all of a node's call slots */
describe('tool calls refused for load', () => {
  const mesh = new ToolTestMesh()
  let greedy: ToolNode
  let other: ToolNode
  let server: ToolNode
  const holding = new AbortController()

  beforeAll(async () => {
    await mesh.start()
    greedy = await mesh.node('greedy')
    other = await mesh.node('other')
    server = await mesh.node('server', { toolProxy: { enabled: true, allow: ['exec'] } })
    await mesh.relay(greedy, server)
    await mesh.relay(other, server)
  })
  afterAll(async () => {
    holding.abort()
    await mesh.stop()
  })

  it('answers busy past one caller\'s share, and still serves another caller', async () => {
    const share = perPeerLimit(MAX_CONCURRENT_CALLS)
    const held = Array.from({ length: share }, async () => await rejection(greedy.services.tool.call(server.peerId, { tool: 'exec', args: { command: 'sleep 300' } }, { signal: holding.signal })))
    await waitFor(`${share} calls to run`, () => server.services.tool.runningCalls() === share)
    const refused = await rejection(greedy.services.tool.call(server.peerId, { tool: 'exec', args: { command: 'true' } }))
    expect(refused).toBeInstanceOf(ToolError)
    expect(refused).toMatchObject({ code: 'busy', message: expect.stringMatching(/the most one member may hold; try again later$/) })
    expect(await other.services.tool.call(server.peerId, { tool: 'exec', args: { command: 'echo served' } })).toMatchObject({ ok: true, content: 'served\n' })
    // past the node's streams per connection too: streams libp2p resets are busy as well, never a stream failure
    const burst = await Promise.all(Array.from({ length: 30 }, async () => await rejection(greedy.services.tool.call(server.peerId, { tool: 'exec', args: { command: 'true' } }))))
    expect(burst.filter(err => err.code === 'busy' && !(err instanceof ToolStreamError))).toHaveLength(30)
    holding.abort()
    await Promise.all(held)
    await waitFor('the held calls to end', () => server.services.tool.runningCalls() === 0)
    expect((await auditLines(server)).filter(l => l.outcome === 'busy').length).toBeGreaterThanOrEqual(1)
  })
})
