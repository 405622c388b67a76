import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Command } from 'commander'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { encodeInvite } from '../../../src/membership/invite.js'
import { joinedConfig } from '../../../src/cli/membership/join-mesh.js'
import plugin from '../../../src/openclaw/index.js'
import type { CliContext, OpenClawPluginApi } from '../../../src/openclaw/openclaw-api.js'

const SECRET = 'the-invites-cluster-secret-0123'
let issuer: string
let invite: string

beforeAll(async () => {
  issuer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  invite = encodeInvite({ secret: SECRET, issuer, addrs: [`/ip4/127.0.0.1/tcp/9/ws/p2p/${issuer}`], admins: [issuer], token: randomBytes(32), expiresAt: Date.now() + 60_000 })
})

afterEach(() => {
  vi.restoreAllMocks()
  process.exitCode = undefined
})

/** `openclaw <argv>` with the plugin's CLI as OpenClaw registers it over `pluginConfig`: its exit code and stderr */
async function openclaw (argv: string[], pluginConfig: Record<string, unknown> = {}): Promise<{ code: number, stderr: string, stdout: string }> {
  let registrar: ((ctx: CliContext) => void | Promise<void>) | undefined
  plugin.register({
    registrationMode: 'cli-metadata',
    pluginConfig,
    registerCli: (r: (ctx: CliContext) => void | Promise<void>) => { registrar = r }
  } as unknown as OpenClawPluginApi)
  const program = new Command('openclaw').exitOverride()
  await registrar?.({ program, config: { plugins: { entries: { clawmatrix: { config: pluginConfig } } } }, logger: { info: () => {}, warn: () => {}, error: () => {} } })
  const stderr: string[] = []
  const stdout: string[] = []
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => { stderr.push(String(chunk)); return true })
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => { stdout.push(String(chunk)); return true })
  await program.parseAsync(['clawmatrix', ...argv], { from: 'user' })
  vi.restoreAllMocks()
  return { code: Number(process.exitCode ?? 0), stderr: stderr.join(''), stdout: stdout.join('') }
}

describe('openclaw clawmatrix: bad arguments are refused before anything runs, naming the flag', () => {
  it('invite: --uses, --expires, --name', async () => {
    expect(await openclaw(['invite', '--uses', '0'])).toMatchObject({ code: 2, stderr: '--uses: "0" is not a number from 1 to 100\n' })
    expect(await openclaw(['invite', '--uses', '101'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--uses: "101"') })
    expect(await openclaw(['invite', '--expires', 'soon'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--expires: "soon" is not a duration') })
    expect(await openclaw(['invite', '--name', 'my laptop'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--name: "my laptop" is not a node id') })
  })

  it('revoke: --reason too long, an empty target', async () => {
    expect(await openclaw(['revoke', 'beta', '--reason', 'x'.repeat(1000)])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^--reason: at most \d+ characters/) })
    expect(await openclaw(['revoke', ' '])).toMatchObject({ code: 2, stderr: expect.stringContaining('<nodeId|peerId>') })
  })

  it('rotate-secret: an --at that is no time, in the past, or too far ahead', async () => {
    expect(await openclaw(['rotate-secret', '--at', 'soon'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^--at: /) })
    expect(await openclaw(['rotate-secret', '--at', '2000-01-01T00:00:00Z'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^--at: .*in the past/) })
    expect(await openclaw(['rotate-secret', '--at', '30d'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^--at: .*7 days/) })
  })

  it('join: a text that is no invite, a bad --node-id', async () => {
    expect(await openclaw(['join', 'cm-invite:nonsense'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^invite: /) })
    expect(await openclaw(['join', 'hello'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^invite: /) })
    expect(await openclaw(['join', invite, '--node-id', 'a/b'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--node-id: "a/b" is not a node id') })
  })

  it('join: refuses to replace a different cluster secret without --force, before redeeming', async () => {
    const result = await openclaw(['join', invite], { secret: 'another-mesh-secret-0123456789' })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('plugins.entries.clawmatrix.config already holds a different cluster secret')
    expect(result.stderr).toContain('--force')
  })

  it('init: a bad --node-id', async () => {
    expect(await openclaw(['init', '--node-id', 'two words'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--node-id: "two words"') })
  })
})

describe('the plugin config a join writes', () => {
  it('keeps every unrelated key and peer, sets the mesh settings, replaces a peer the issuer names again', () => {
    const current = {
      proxyPort: 19002,
      agents: [{ id: 'main' }],
      secret: SECRET,
      peers: [{ url: 'ws://10.0.0.9:19000', nodeId: 'old' }, { url: '/ip4/127.0.0.1/tcp/9/ws', peerId: issuer }]
    }
    const settings = { nodeId: 'beta', secret: SECRET, membership: 'certificates', admins: [issuer] }
    expect(joinedConfig(current, settings, 'beta', [{ url: '/ip4/127.0.0.1/tcp/9100/ws', peerId: issuer }])).toEqual({
      proxyPort: 19002,
      agents: [{ id: 'main' }],
      secret: SECRET,
      nodeId: 'beta',
      membership: 'certificates',
      admins: [issuer],
      peers: [{ url: 'ws://10.0.0.9:19000', nodeId: 'old' }, { url: '/ip4/127.0.0.1/tcp/9100/ws', peerId: issuer }]
    })
  })
})
