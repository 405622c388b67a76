import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NoRouteError } from '../../src/router/router.js'
import { ToolError } from '../../src/tool/index.js'
import { runCli, writeConfig } from '../helpers/cli.js'
import { removeTempDirs, startMesh, TEST_SECRET } from '../helpers/mesh.js'
import { rejection } from './tool-nodes.js'
import type { TestMesh } from '../helpers/mesh.js'

describe('the tool plane in a running mesh: library call and CLI, through the hub', () => {
  let mesh: TestMesh
  let root: string
  let configA: string

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cm-tool-root-'))
    await writeFile(join(root, 'hello.txt'), 'hello from b\n')
    mesh = await startMesh({
      b: { tags: ['gpu'], toolProxy: { enabled: true, allow: ['exec', 'read', 'write'], roots: [root] } }
    })
    configA = await writeConfig({ nodeId: 'a', secret: TEST_SECRET, proxyPort: mesh.a.api.port, dataDir: mesh.a.config.dataDir })
  })
  afterAll(async () => {
    await mesh?.stop()
    await removeTempDirs()
    await rm(root, { recursive: true, force: true })
  })

  it('calls a tool by node id and by tag, and names the node that ran it', async () => {
    const byId = await mesh.a.invokeTool('b', 'exec', { command: 'echo hi' })
    expect(byId).toMatchObject({ ok: true, content: 'hi\n', nodeId: 'b', peerId: mesh.b.peerId })
    expect(await mesh.a.invokeTool('tags:gpu', 'read', { path: 'hello.txt' })).toMatchObject({ content: 'hello from b\n', nodeId: 'b' })
    expect(await rejection(mesh.a.invokeTool('nowhere', 'exec', { command: 'true' }))).toBeInstanceOf(NoRouteError)
    const refused = await rejection(mesh.a.invokeTool('hub', 'exec', { command: 'true' }))
    expect(refused).toBeInstanceOf(ToolError)
    expect(refused.code).toBe('disabled')
  })

  it('shows in status whether the proxy is open to all members', () => {
    expect(mesh.b.status().toolProxy).toEqual({ enabled: true, openToAllMembers: false })
    expect(mesh.hub.status().toolProxy).toEqual({ enabled: false, openToAllMembers: false })
  })

  it('clawmatrix exec passes output through byte for byte and exits with the remote exit code', async () => {
    const r = await runCli(['exec', '--config', configA, 'b', '--', 'printf "a\\tb\\n"; printf oops >&2; exit 7'])
    expect(r).toEqual({ code: 7, stdout: 'a\tb\n', stderr: 'oops' })
  })

  it('clawmatrix read, write and tool', async () => {
    expect(await runCli(['read', '--config', configA, 'b', 'hello.txt'])).toEqual({ code: 0, stdout: 'hello from b\n', stderr: '' })
    const written = await runCli(['write', '--config', configA, 'b', 'from-a.txt'], { input: 'written by a\n' })
    expect(written.code).toBe(0)
    expect(await readFile(join(root, 'from-a.txt'), 'utf8')).toBe('written by a\n')
    const tool = await runCli(['tool', '--config', configA, 'b', 'exec', '{"command":"echo via tool"}'])
    expect(tool).toEqual({ code: 0, stdout: 'via tool\n', stderr: '' })
  })

  it('a refusal prints error [<code>]: <message> and exits 1', async () => {
    expect(await runCli(['exec', '--config', configA, 'hub', '--', 'true'])).toEqual({ code: 1, stdout: '', stderr: 'error [disabled]: tool proxy disabled on hub\n' })
    const denied = await runCli(['tool', '--config', configA, 'b', 'ls', '{"path":"."}'])
    expect(denied).toEqual({ code: 1, stdout: '', stderr: 'error [denied]: tool "ls" is not in toolProxy.allow on b\n' })
  })
})
