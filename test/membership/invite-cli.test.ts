import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../../src/cli/free-port.js'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadOrCreateIdentity } from '../../src/mesh/identity.js'
import { joinInForeground, peersOf, runCli, scratch, startCliNode } from '../helpers/cli.js'
import { waitFor } from '../helpers/wait.js'
import type { CliNode } from '../helpers/cli.js'

describe('invite and join through the built CLI', () => {
  const { nodes, tempDir, cleanUp } = scratch()
  afterAll(cleanUp)

  let hub: CliNode
  let hubHome: string
  let hubPort: number

  it('init + start on the admin hub, invite there, join on fresh machines: each newcomer is a certified member seen by all and routable through the hub, well under 60 s', async () => {
    hubHome = await tempDir('cm-hub-')
    const hubConfig = join(hubHome, 'config.json')
    expect((await runCli(['init', '--config', hubConfig, '--node-id', 'hub'], { env: { HOME: hubHome } })).code).toBe(0)
    const written = JSON.parse(await readFile(hubConfig, 'utf8'))
    hubPort = await freePort()
    hub = await startCliNode({ ...written, dataDir: join(hubHome, '.clawmatrix', 'hub'), listenHost: '127.0.0.1', listenPort: 0, proxyPort: hubPort })
    nodes.push(hub)

    const started = Date.now()
    const invite = await runCli(['invite', '--name', 'beta', '--config', hub.configFile])
    expect(invite.code).toBe(0)
    expect(invite.stdout).toMatch(/^cm-invite:[A-Za-z0-9_-]+\n$/)
    expect(invite.stderr).toMatch(/contains the cluster secret: send it privately/)

    const betaHome = await tempDir('cm-beta-')
    const betaConfig = join(betaHome, 'beta.json')
    const betaPort = await freePort()
    const beta = await joinInForeground([invite.stdout.trim(), '--config', betaConfig, '--api-port', String(betaPort)], betaHome)
    nodes.push(beta)
    const betaDataDir = join(betaHome, '.clawmatrix', 'beta')
    await waitFor('the hub to see beta certified and connected', async () => {
      const seen = (await peersOf(hubPort, join(hubHome, '.clawmatrix', 'hub'))).find(p => p.nodeId === 'beta')
      return seen?.reachable === true && seen.membership === 'certified'
    }, 30_000, 200)
    const joinedMs = Date.now() - started
    console.log(`invite -> beta certified and routable at the hub: ${joinedMs} ms`)
    expect(joinedMs).toBeLessThan(30_000)

    // the config join wrote: no hand edits, the secret and the hub pinned
    const betaWritten = JSON.parse(await readFile(betaConfig, 'utf8'))
    expect(betaWritten).toMatchObject({ nodeId: 'beta', secret: written.secret, membership: 'certificates', admins: written.admins, peers: [{ peerId: hub.peerId, url: expect.stringMatching(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws$/) }] })
    expect((await stat(betaConfig)).mode & 0o777).toBe(0o600)
    expect(beta.output()).toMatch(/^joined as beta: certificate from /m)

    // a second newcomer that dials out, routable from beta through the hub; this invite also as a QR code
    const second = await runCli(['invite', '--qr', '--config', hub.configFile])
    expect(second.stdout).toMatch(/^cm-invite:[A-Za-z0-9_-]+\n$/)
    expect(second.stderr.split('\n').filter(l => /[▀▄█]/.test(l)).length).toBeGreaterThan(20)
    const gammaHome = await tempDir('cm-gamma-')
    const gammaPort = await freePort()
    const gamma = await joinInForeground([second.stdout.trim(), '--config', join(gammaHome, 'config.json'), '--node-id', 'gamma', '--api-port', String(gammaPort)], gammaHome)
    nodes.push(gamma)
    await waitFor('beta to see gamma certified and reachable through the hub', async () => {
      const seen = (await peersOf(betaPort, betaDataDir)).find(p => p.nodeId === 'gamma')
      return seen?.reachable === true && seen.path === 'relayed' && seen.membership === 'certified'
    }, 40_000, 200)
    const atHub = (await peersOf(hubPort, join(hubHome, '.clawmatrix', 'hub'))).find(p => p.nodeId === 'gamma')
    expect(atHub).toMatchObject({ connected: true, path: 'direct', membership: 'certified' })
    await waitFor('gamma to see beta through the hub', async () => (await peersOf(gammaPort, join(gammaHome, '.clawmatrix', 'gamma'))).find(p => p.nodeId === 'beta')?.path === 'relayed', 20_000, 200)
    console.log(`invite -> gamma routable from beta through the hub: ${Date.now() - started - joinedMs} ms after beta`)
  }, 120_000)

  it('refuses a second use, an expired, a forged and a malformed invite, a revoked machine and an existing config, and says issuer_offline when the issuer is down', async () => {
    const once = (await runCli(['invite', '--config', hub.configFile])).stdout.trim()
    const home = await tempDir('cm-refused-')
    const first = await runCli(['join', once, '--config', join(home, 'a.json'), '--node-id', 'delta', '--no-start'], { env: { HOME: home } })
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/clawmatrix start --config /)
    const again = await runCli(['join', once, '--config', join(home, 'b.json'), '--node-id', 'epsilon', '--no-start'], { env: { HOME: home } })
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/^error \[invite_used\]: this invite has been used already/)

    const { parseInvite, encodeInvite } = await import('../../src/membership/invite.js')
    const expiring = (await runCli(['invite', '--expires', '1s', '--config', hub.configFile])).stdout.trim()
    const expiresAt = parseInvite(expiring).expiresAt
    await waitFor('the invite to expire', () => Date.now() > expiresAt, 5000)
    const expired = await runCli(['join', expiring, '--config', join(home, 'c.json'), '--node-id', 'zeta', '--no-start'], { env: { HOME: home } })
    expect(expired.code).toBe(1)
    expect(expired.stderr).toMatch(/^error \[invite_expired\]: this invite has expired: ask an admin for a new one/)

    // delta's machine is lost: revoked, its identity cannot join again, even with a new invite
    const deltaPeer = peerIdFromPrivateKey(await loadOrCreateIdentity(join(home, '.clawmatrix', 'delta'))).toString()
    expect((await runCli(['revoke', deltaPeer, '--config', hub.configFile])).code).toBe(0)
    const fresh = (await runCli(['invite', '--config', hub.configFile])).stdout.trim()
    const revoked = await runCli(['join', fresh, '--config', join(home, 'r.json'), '--node-id', 'delta', '--no-start'], { env: { HOME: home } })
    expect(revoked.code).toBe(1)
    expect(revoked.stderr).toMatch(/^error \[revoked\]: this machine's peer ID is revoked: an invite cannot bring it back/)

    const { randomBytes } = await import('node:crypto')
    const forged = encodeInvite({ ...parseInvite(once), token: randomBytes(32) })
    const unknown = await runCli(['join', forged, '--config', join(home, 'd.json'), '--node-id', 'eta', '--no-start'], { env: { HOME: home } })
    expect(unknown.stderr).toMatch(/^error \[unknown_invite\]: the issuer does not know this invite/)

    const malformed = await runCli(['join', once.slice(0, 40), '--config', join(home, 'e.json'), '--no-start'], { env: { HOME: home } })
    expect(malformed.code).toBe(2)
    expect(malformed.stderr).toMatch(/^invite: the invite is cut or mistyped/)
    const notInvite = await runCli(['join', 'hello', '--config', join(home, 'e.json'), '--no-start'], { env: { HOME: home } })
    expect(notInvite.stderr).toMatch(/^invite: not an invite: an invite starts with "cm-invite:"/)

    const pending = (await runCli(['invite', '--config', hub.configFile])).stdout.trim()
    await hub.stop()
    const offline = await runCli(['join', pending, '--config', join(home, 'g.json'), '--node-id', 'theta', '--no-start'], { env: { HOME: home } })
    expect(offline.code).toBe(1)
    expect(offline.stderr).toMatch(/^error \[issuer_offline\]: the admin that issued this invite cannot be reached: it must be online and reachable/)
    for (const file of ['b.json', 'c.json', 'd.json', 'e.json', 'g.json', 'r.json']) {
      await expect(stat(join(home, file))).rejects.toThrow(/ENOENT/)
    }
  }, 120_000)
})
