import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { parseInvite } from '../../../src/membership/invite.js'
import { loadOrCreateIdentity } from '../../../src/mesh/identity.js'
import { registerGatewayMethods } from '../../../src/openclaw/gateway-methods.js'
import { MeshLifecycle } from '../../../src/openclaw/mesh-lifecycle.js'
import { removeTempDirs, startNode } from '../../helpers/mesh.js'
import type { GatewayError, GatewayMethodHandler, OpenClawPluginApi } from '../../../src/openclaw/openclaw-api.js'
import type { TestNode } from '../../helpers/mesh.js'

interface Answer { ok: boolean, payload?: any, error?: GatewayError }

const lifecycles: MeshLifecycle[] = []

afterEach(async () => {
  await Promise.all(lifecycles.splice(0).map(async mesh => { await mesh.stop() }))
  await removeTempDirs()
})

/** The gateway methods as the gateway registers them, each with its scope, over `mesh` */
function methodsOf (mesh: MeshLifecycle): { call: (method: string, params?: Record<string, unknown>) => Promise<Answer>, scopes: Record<string, string | undefined> } {
  const handlers = new Map<string, GatewayMethodHandler>()
  const scopes: Record<string, string | undefined> = {}
  registerGatewayMethods({
    registerGatewayMethod: (method: string, handler: GatewayMethodHandler, options?: { scope?: string }) => {
      handlers.set(method, handler)
      scopes[method] = options?.scope
    }
  } as unknown as OpenClawPluginApi, mesh)
  const call = async (method: string, params: Record<string, unknown> = {}): Promise<Answer> => {
    let answer: Answer | undefined
    await handlers.get(method)?.({ params, respond: (ok, payload, error) => { answer = { ok, payload, error } } })
    if (answer == null) throw new Error(`${method} did not answer`)
    return answer
  }
  return { call, scopes }
}

async function running (start: () => Promise<TestNode>): Promise<{ mesh: MeshLifecycle, node: TestNode }> {
  const mesh = new MeshLifecycle()
  lifecycles.push(mesh)
  let node: TestNode | undefined
  await mesh.start(async () => {
    node = await start()
    return { phase: 'running', node }
  })
  if (node == null) throw new Error(`the node did not start: ${JSON.stringify(mesh.state)}`)
  return { mesh, node }
}

async function adminHub (): Promise<TestNode> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cm-id-'))
  const admin = peerIdFromPrivateKey(await loadOrCreateIdentity(dataDir)).toString()
  return await startNode({ nodeId: 'hub', listen: true, membership: 'certificates', admins: [admin] }, { dataDir })
}

describe('the membership gateway methods', () => {
  it('need operator.admin to invite or revoke, operator.read to list', () => {
    const { scopes } = methodsOf(new MeshLifecycle())
    expect(scopes).toMatchObject({ 'clawmatrix.invite': 'operator.admin', 'clawmatrix.revoke': 'operator.admin', 'clawmatrix.rotateSecret': 'operator.admin', 'clawmatrix.members': 'operator.read' })
  })

  it('say why when no node runs', async () => {
    const { call } = methodsOf(new MeshLifecycle())
    for (const method of ['clawmatrix.invite', 'clawmatrix.revoke', 'clawmatrix.rotateSecret', 'clawmatrix.members']) {
      expect(await call(method)).toMatchObject({ ok: true, payload: { running: false, phase: 'stopped' } })
    }
  })

  it('issue an invite on an admin, list the members, and refuse bad params naming the field', async () => {
    const { mesh, node } = await running(adminHub)
    const { call } = methodsOf(mesh)
    const issued = await call('clawmatrix.invite', { name: 'laptop', expiresInMs: 3_600_000, uses: 2 })
    expect(issued).toMatchObject({ ok: true, payload: { uses: 2, name: 'laptop', addrs: [node.dialAddr] } })
    expect(parseInvite(issued.payload.invite)).toMatchObject({ issuer: node.peerId, admins: [node.peerId], name: 'laptop' })

    expect(await call('clawmatrix.invite', { uses: 0 })).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: 'uses must be a whole number from 1 to 100', details: { code: 'bad_request' } } })
    expect(await call('clawmatrix.revoke', {})).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: 'target must be a node id or a peer ID' } })
    expect(await call('clawmatrix.revoke', { target: 'nobody' })).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', details: { code: 'not_found' } } })

    const members = await call('clawmatrix.members')
    expect(members).toMatchObject({ ok: true, payload: { mode: 'certificates', admins: [node.peerId], canCertify: true, revocations: [] } })
  })

  it('revoke a peer by its peer ID, and show the revocation in members', async () => {
    const { mesh } = await running(adminHub)
    const { call } = methodsOf(mesh)
    const other = peerIdFromPrivateKey(await loadOrCreateIdentity(await mkdtemp(join(tmpdir(), 'cm-id-')))).toString()
    expect(await call('clawmatrix.revoke', { target: other, reason: 'lost laptop' })).toMatchObject({ ok: true, payload: { subject: other, reason: 'lost laptop' } })
    const members = await call('clawmatrix.members')
    expect(members.payload.revocations).toMatchObject([{ subject: other, reason: 'lost laptop' }])
  })

  it('rotate the secret on an admin without answering the secret, and refuse a switch time in the past naming the field', async () => {
    const { mesh, node } = await running(adminHub)
    const { call } = methodsOf(mesh)
    expect(await call('clawmatrix.rotateSecret', { switchAt: Date.now() - 60_000 })).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: expect.stringMatching(/^switchAt: .*in the past/), details: { code: 'bad_request' } } })
    expect(await call('clawmatrix.rotateSecret', { switchAt: 'soon' })).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: 'switchAt must be ms since the epoch' } })
    const switchAt = Date.now() + 3_600_000
    const rotated = await call('clawmatrix.rotateSecret', { switchAt })
    expect(rotated).toMatchObject({ ok: true, payload: { issuer: node.peerId, switchAt, generation: 1 } })
    expect(rotated.payload).not.toHaveProperty('secret')
    expect((await call('clawmatrix.members')).payload.secretRotation).toMatchObject({ pending: { issuer: node.peerId, switchAt } })
  })

  it('refuse an invite or a rotation on a node that is no admin, as forbidden', async () => {
    const { mesh } = await running(async () => await startNode({ nodeId: 'plain', listen: true }))
    const { call } = methodsOf(mesh)
    expect(await call('clawmatrix.invite')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', details: { code: 'not_admin' } } })
    expect(await call('clawmatrix.rotateSecret', { switchAt: Date.now() + 60_000 })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', details: { code: 'not_admin' } } })
  })
})
