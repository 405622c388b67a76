import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../../src/cli/free-port.js'
import { runCli, scratch, startCliNode, writeConfig } from '../helpers/cli.js'
import { TEST_SECRET } from '../helpers/mesh.js'

describe('init, certify and members through the built CLI', () => {
  const { nodes, tempDir, cleanUp } = scratch()
  afterAll(cleanUp)

  it('init creates a certificates mesh with this node its admin, and refuses to overwrite; certify and members act on the running node', async () => {
    const home = await tempDir('cm-home-')
    const configFile = join(home, 'mesh', 'config.json')
    const init = await runCli(['init', '--config', configFile, '--node-id', 'alpha'], { env: { HOME: home } })
    expect(init.stderr).toBe('')
    expect(init.code).toBe(0)
    const written = JSON.parse(await readFile(configFile, 'utf8'))
    const peerId = /^peer ID:\s+(\S+)/m.exec(init.stdout)?.[1]
    expect(written).toEqual({ nodeId: 'alpha', secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), listen: true, membership: 'certificates', admins: [peerId] })
    expect((await stat(configFile)).mode & 0o777).toBe(0o600)
    expect(init.stdout).toMatch(/clawmatrix certify <peerId> --name <nodeId>/)

    const again = await runCli(['init', '--config', configFile], { env: { HOME: home } })
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/already exists: not overwriting it/)
    expect(JSON.parse(await readFile(configFile, 'utf8'))).toEqual(written)

    // the node runs on the identity and admin certificate init left in its dataDir
    const node = await startCliNode({ ...written, dataDir: join(home, '.clawmatrix', 'alpha'), listenHost: '127.0.0.1', listenPort: 0, proxyPort: await freePort() })
    nodes.push(node)
    expect(node.peerId).toBe(peerId)

    const member = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const certify = await runCli(['certify', member, '--name', 'beta', '--expires', '30d', '--config', node.configFile])
    expect(certify.stderr).toBe('')
    expect(certify.stdout).toMatch(new RegExp(`^certified ${member} as beta until \\d{4}-`))
    const badDuration = await runCli(['certify', member, '--name', 'beta', '--expires', 'soon', '--config', node.configFile])
    expect(badDuration.code).toBe(2)
    expect(badDuration.stderr).toMatch(/--expires: "soon" is not a duration/)

    const json = await runCli(['members', '--json', '--config', node.configFile])
    expect(json.code).toBe(0)
    const doc = JSON.parse(json.stdout)
    expect(doc).toMatchObject({ mode: 'certificates', admins: [peerId], canCertify: true, certificate: { subject: peerId, nodeId: 'alpha', roles: ['admin'] } })
    expect(doc.certificates).toEqual(expect.arrayContaining([
      expect.objectContaining({ subject: peerId, nodeId: 'alpha', issuer: peerId, roles: ['admin'], valid: true }),
      expect.objectContaining({ subject: member, nodeId: 'beta', issuer: peerId, roles: [], valid: true, expiresAt: expect.any(Number) })
    ]))
    const table = await runCli(['members', '--config', node.configFile])
    expect(table.stdout).toMatch(/Membership: certificates/)
    expect(table.stdout.split('\n').find(l => l.includes(member))).toMatch(/beta.*valid/)
  })

  it('init --adopt moves an open mesh\'s config to certificates, keeping its secret and settings', async () => {
    const dir = await tempDir('cm-adopt-')
    const configFile = await writeConfig({ nodeId: 'hub', secret: TEST_SECRET, listen: true, tags: ['gpu'] }, dir)
    const before = JSON.parse(await readFile(configFile, 'utf8'))
    const adopt = await runCli(['init', '--adopt', '--config', configFile])
    expect(adopt.stderr).toBe('')
    expect(adopt.code).toBe(0)
    const peerId = /^peer ID:\s+(\S+)/m.exec(adopt.stdout)?.[1]
    expect(JSON.parse(await readFile(configFile, 'utf8'))).toEqual({ ...before, membership: 'certificates', admins: [peerId] })
    expect(adopt.stdout).toMatch(/receive their certificate at their next connection/)
    const id = await runCli(['id', '--json', '--config', configFile])
    expect(JSON.parse(id.stdout).peerId).toBe(peerId)
  })
})
