import { createHash } from 'node:crypto'
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditLines, rejection, ToolTestMesh } from './tool-nodes.js'
import type { ToolNode } from './tool-nodes.js'

describe('file tools confined to toolProxy.roots, called through a relay', () => {
  const mesh = new ToolTestMesh()
  let caller: ToolNode
  let server: ToolNode
  let rootless: ToolNode
  let root: string
  let outside: string
  let dataDir: string

  beforeAll(async () => {
    await mesh.start()
    root = await mesh.tempDir('cm-root-')
    outside = await mesh.tempDir('cm-outside-')
    dataDir = join(root, 'state')
    await writeFile(join(outside, 'secret.txt'), 'not for callers')
    await writeFile(join(root, 'notes.txt'), 'alpha beta gamma')
    await writeFile(join(root, 'big.txt'), 'x'.repeat(5000))
    await mkdir(join(root, 'sub'))
    await symlink(outside, join(root, 'escape'))
    await symlink(join(outside, 'not-there.txt'), join(root, 'dangling'))
    caller = await mesh.node('caller')
    ;[server, rootless] = await Promise.all([
      mesh.node('files', { dataDir, toolProxy: { enabled: true, roots: [root], maxOutputBytes: 1000 } }),
      mesh.node('rootless', { toolProxy: { enabled: true } })
    ])
    await mkdir(dataDir, { recursive: true })
    await writeFile(join(dataDir, 'admin-token'), 'token')
    await mesh.relay(caller, server)
    await mesh.relay(caller, rootless)
  })
  afterAll(async () => { await mesh.stop() })

  const call = async (node: ToolNode, tool: string, args: Record<string, unknown>): Promise<any> =>
    await caller.services.tool.call(node.peerId, { tool, args })

  it('reads, writes, edits and lists inside a root (relative paths start at the first root)', async () => {
    expect(await call(server, 'read', { path: join(root, 'notes.txt') })).toMatchObject({ ok: true, content: 'alpha beta gamma', truncated: false })
    expect(await call(server, 'write', { path: 'sub/new.txt', content: 'one two' })).toMatchObject({ ok: true, details: { bytes: 7 } })
    expect(await readFile(join(root, 'sub', 'new.txt'), 'utf8')).toBe('one two')
    expect(await call(server, 'edit', { path: 'sub/new.txt', oldText: 'two', newText: 'three' })).toMatchObject({ ok: true })
    expect(await readFile(join(root, 'sub', 'new.txt'), 'utf8')).toBe('one three')
    const listing = await call(server, 'ls', { path: root })
    expect(listing.content.split('\n')).toEqual(expect.arrayContaining(['notes.txt', 'sub/', 'state/']))
  })

  it('refuses file tools when no roots are configured, naming the setting', async () => {
    const err = await rejection(call(rootless, 'read', { path: '/etc/hostname' }))
    expect(err.code).toBe('denied')
    expect(err.message).toBe('read needs toolProxy.roots on rootless: no directory is open to file tools')
  })

  it('refuses a path that leaves the root through ..', async () => {
    const err = await rejection(call(server, 'read', { path: join(root, '..', outside.split('/').pop() as string, 'secret.txt') }))
    expect(err.code).toBe('denied')
    expect(err.message).toContain('outside toolProxy.roots on files')
  })

  it('refuses a path that leaves the root through a symbolic link, for reads and for writes', async () => {
    const read = await rejection(call(server, 'read', { path: join(root, 'escape', 'secret.txt') }))
    expect(read.code).toBe('denied')
    expect(read.message).toContain(`resolves to ${join(outside, 'secret.txt')}`)
    const write = await rejection(call(server, 'write', { path: 'escape/planted.txt', content: 'x' }))
    expect(write.code).toBe('denied')
    const dangling = await rejection(call(server, 'write', { path: 'dangling', content: 'x' }))
    expect(dangling.code).toBe('denied')
    expect(dangling.message).toContain('symbolic link to a missing target')
    await expect(readFile(join(outside, 'not-there.txt'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('refuses dataDir even though it lies under a root', async () => {
    const err = await rejection(call(server, 'read', { path: join(dataDir, 'admin-token') }))
    expect(err.code).toBe('denied')
    expect(err.message).toContain('inside the dataDir of files')
    const listing = await rejection(call(server, 'ls', { path: 'state' }))
    expect(listing.code).toBe('denied')
  })

  it('cuts content at maxOutputBytes and marks the result truncated', async () => {
    const result = await call(server, 'read', { path: 'big.txt' })
    expect(result.truncated).toBe(true)
    expect(result.content).toBe('x'.repeat(1000))
    expect(result.details).toMatchObject({ size: 5000 })
  })

  it('answers bad_arguments naming the problem', async () => {
    const missing = await rejection(call(server, 'edit', { path: 'notes.txt', newText: 'x' }))
    expect(missing.code).toBe('bad_arguments')
    expect(missing.message).toBe('bad arguments for edit: oldText: is required')
    const typo = await rejection(call(server, 'write', { path: 'a.txt', contents: 'x' }))
    expect(typo.code).toBe('bad_arguments')
    expect(typo.message).toBe('bad arguments for write: content: is required; contents: unknown field')
    const noPath = await rejection(call(server, 'read', {}))
    expect(noPath.message).toBe('bad arguments for read: path: is required')
  })

  it('edits only a unique occurrence', async () => {
    await writeFile(join(root, 'twice.txt'), 'same same')
    const err = await rejection(call(server, 'edit', { path: 'twice.txt', oldText: 'same', newText: 'other' }))
    expect(err.message).toContain('occurs 2 times')
    expect(await readFile(join(root, 'twice.txt'), 'utf8')).toBe('same same')
  })

  it('writes an audit line for each call with file contents reduced to size and hash', async () => {
    const lines = await auditLines(server)
    const write = lines.find(l => l.tool === 'write' && l.outcome === 'ok')
    expect(write?.args).toEqual({
      path: 'sub/new.txt',
      content: { bytes: 7, sha256: createHash('sha256').update('one two').digest('hex') }
    })
    const outcomes = lines.map(l => `${l.tool}:${l.decision}:${l.outcome}`)
    expect(outcomes).toEqual([
      'read:allowed:ok', 'write:allowed:ok', 'edit:allowed:ok', 'ls:allowed:ok',
      'read:refused:denied',
      'read:refused:denied', 'write:refused:denied', 'write:refused:denied',
      'read:refused:denied', 'ls:refused:denied',
      'read:allowed:ok',
      'edit:allowed:bad_arguments', 'write:allowed:bad_arguments', 'read:refused:bad_arguments',
      'edit:allowed:failed'
    ])
    expect(lines.find(l => l.truncated)?.bytesOut).toBe(1000)
    expect((await auditLines(rootless)).map(l => l.outcome)).toEqual(['denied'])
  })
})
