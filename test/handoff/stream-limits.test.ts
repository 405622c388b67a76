import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handoffService, HandoffDialError, HandoffError } from '../../src/handoff/index.js'
import { runEndConfirmed } from '../../src/handoff/handoff-client.js'
import { ProcessAgentRunner } from '../../src/standalone/process-agent-runner.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { waitFor } from '../helpers/wait.js'
import { agentCommand } from './fixtures.js'
import type { HandoffService } from '../../src/handoff/index.js'
import type { Libp2p } from '@libp2p/interface'

/**
 * This node's own outbound stream limit is load, not a failed node: the handoff comes back as a
 * retryable `busy` whose run is known never to have begun, so the caller moves on at once and
 * does not set the serving node aside.
 */
describe('the caller\'s own handoff stream limit', () => {
  let dataDir: string
  let office: Libp2p<{ handoff: HandoffService }>
  let thrifty: Libp2p<{ handoff: HandoffService }>
  const held = new AbortController()

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cm-handoff-limits-'))
    const runner = new ProcessAgentRunner({ agents: [{ id: 'quiet', command: agentCommand('silent') }], dataDir })
    office = await startTestLibp2p({ services: { handoff: handoffService({ nodeId: 'office', runner, handoffConcurrency: 4 }) } })
    thrifty = await startTestLibp2p({ listen: false, services: { handoff: handoffService({ nodeId: 'thrifty', maxOutboundStreams: 1 }) } })
    await thrifty.dial(multiaddr(office.getMultiaddrs()[0]))
    await waitFor('the serving node to hold the connection', () => office.getConnections(thrifty.peerId).some(c => c.status === 'open'))
  })

  afterAll(async () => {
    held.abort()
    await Promise.all([thrifty, office].map(async n => { await n?.stop() }))
    await rm(dataDir, { recursive: true, force: true })
  })

  it('reads as busy, with the run known never to have begun', async () => {
    const first = thrifty.services.handoff.run(office.peerId, { handoffId: 'held-1', agent: 'quiet', task: 'wait' }, { signal: held.signal })
    const firstDone = (async () => { for await (const _ of first) { /* held until aborted */ } })().catch(() => {})
    await waitFor('the first run to hold the stream', () => office.services.handoff.running().length === 1)

    const second = thrifty.services.handoff.run(office.peerId, { handoffId: 'held-2', agent: 'quiet', task: 'wait' }, { signal: AbortSignal.timeout(10_000) })
    const refused = await (async () => { for await (const _ of second) { /* refused before any event */ } })().catch(err => err)
    expect(refused).toBeInstanceOf(HandoffError)
    expect(refused).not.toBeInstanceOf(HandoffDialError)
    expect(refused.code).toBe('busy')
    expect(refused.message).toMatch(/this node has as many handoff streams open to/)
    expect(runEndConfirmed(refused)).toBe(true)
    held.abort()
    await firstDone
  })
})
