import { describe, expect, it } from 'vitest'
import { MAX_COUNTED_NODES, MAX_ERROR_MESSAGE_CHARS, MAX_RECENT_ERRORS, OTHER_NODES } from '../../src/status-page/constants.js'
import { RecentActivity } from '../../src/status-page/recent-activity.js'

describe('the status page\'s recent activity', () => {
  it('counts requests and failures per plane and node; ok and cancelled are not failures', () => {
    const activity = new RecentActivity(() => 42)
    const ok = activity.modelAttempt('m', 'office', 'peer', 'relayed')
    ok.answered(200)
    ok.ended()
    activity.modelAttempt('m', 'office', 'peer', 'relayed').answered(503)
    activity.modelAttempt('m', 'hub', 'peer', 'direct').failed('node_busy', 'hub is busy')
    activity.modelAttempt('m', 'hub', 'peer', 'direct').failed('cancelled')
    activity.handoffEnded('office', 'peer', 'agent_failed', 0, 'demo-agent: exit code 1')
    activity.handoffEnded(undefined, undefined, 'no_route', 0, 'no agent matches "x"')
    activity.toolCallEnded('office', 'peer', 'ok', 0)
    activity.failover('model')
    const view = activity.view()
    expect(view.totals).toEqual({ model: { requests: 4, errors: 2 }, handoff: { requests: 2, errors: 2 }, tool: { requests: 1, errors: 0 }, failovers: 1 })
    expect(view.byNode.office.model).toEqual({ requests: 2, errors: 1 })
    expect(view.byNode.hub.model).toEqual({ requests: 2, errors: 1 })
    expect(view.byNode[OTHER_NODES].handoff).toEqual({ requests: 1, errors: 1 })
    expect(view.errors).toEqual([
      { at: 42, plane: 'model', node: 'office', code: '503', message: 'the model\'s upstream answered HTTP 503' },
      { at: 42, plane: 'model', node: 'hub', code: 'node_busy', message: 'hub is busy' },
      { at: 42, plane: 'handoff', node: 'office', code: 'agent_failed', message: 'demo-agent: exit code 1' },
      { at: 42, plane: 'handoff', node: null, code: 'no_route', message: 'no agent matches "x"' }
    ])
  })

  it(`keeps the last ${MAX_RECENT_ERRORS} errors, messages cut, and counts at most ${MAX_COUNTED_NODES} nodes one by one`, () => {
    const activity = new RecentActivity()
    for (let i = 0; i < 1000; i++) activity.toolCallEnded(`node-${i}`, undefined, 'internal', 0, `failure ${i} ${'x'.repeat(1000)}`)
    const view = activity.view()
    expect(view.errors).toHaveLength(MAX_RECENT_ERRORS)
    expect(view.errors[0].message.startsWith(`failure ${1000 - MAX_RECENT_ERRORS} `)).toBe(true)
    expect(view.errors.at(-1)?.node).toBe('node-999')
    expect(view.errors.every(e => e.message.length <= MAX_ERROR_MESSAGE_CHARS)).toBe(true)
    expect(Object.keys(view.byNode).length).toBeLessThanOrEqual(MAX_COUNTED_NODES + 1)
    expect(view.byNode[OTHER_NODES].tool.requests).toBe(1000 - MAX_COUNTED_NODES)
    expect(view.totals.tool).toEqual({ requests: 1000, errors: 1000 })
  })
})
