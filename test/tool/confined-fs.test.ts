import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config/resolve.js'
import { hasProcFd, useProcFd } from '../../src/standalone/tools/confined-fs.js'
import { standaloneToolExecutor } from '../../src/standalone/tools/index.js'
import { fileRootsOf } from '../../src/tool/file-roots.js'
import type { ToolResult } from '../../src/host/ports.js'

/**
 * The tools' own check of what they open, as after a link was swapped in behind the tool
 * service's check: the tools are handed a path through a link to outside the root.
 */
describe.each([
  ['pinned through /proc/self/fd', true],
  ['opened then compared by device and inode', false]
])('file tools check what they open (%s)', (_mode, procFd) => {
  let base: string
  let root: string
  let outside: string
  let tools: ReturnType<typeof standaloneToolExecutor>

  beforeAll(async () => {
    if (procFd && !(await hasProcFd())) return
    useProcFd(procFd)
    base = await mkdtemp(join(tmpdir(), 'cm-confined-'))
    root = join(base, 'root')
    outside = join(base, 'outside')
    await mkdir(join(root, 'sub'), { recursive: true })
    await mkdir(join(outside, 'dir'), { recursive: true })
    await writeFile(join(root, 'notes.txt'), 'inside value')
    await writeFile(join(outside, 'secret.txt'), 'outside value')
    await writeFile(join(outside, 'dir', 'outside-entry'), '')
    await symlink(outside, join(root, 'swapped'))
    const config = resolveConfig({ nodeId: 'files', dataDir: join(base, 'state'), toolProxy: { enabled: true, roots: [root] } })
    tools = standaloneToolExecutor({ fileRoots: fileRootsOf(config) })
  })
  afterEach(() => { useProcFd(procFd) })
  afterAll(async () => {
    useProcFd(undefined)
    if (base != null) await rm(base, { recursive: true, force: true })
  })

  const invoke = async (tool: string, args: Record<string, unknown>): Promise<ToolResult> =>
    await tools.invoke({ tool, args, caller: { peerId: 'p', nodeId: 'n' } as any, timeoutMs: 10_000, signal: new AbortController().signal })

  const refusal = async (tool: string, args: Record<string, unknown>): Promise<any> =>
    await invoke(tool, args).then(() => { throw new Error(`${tool} was not refused`) }, err => err)

  it('works inside the root: the root itself, nested new directories, edits', async () => {
    expect((await invoke('ls', { path: root })).content.split('\n')).toEqual(['notes.txt', 'sub/', 'swapped'])
    expect(await invoke('read', { path: join(root, 'notes.txt') })).toMatchObject({ ok: true, content: 'inside value' })
    await invoke('write', { path: join(root, 'sub', 'a', 'b', 'new.txt'), content: 'one two' })
    expect(await readFile(join(root, 'sub', 'a', 'b', 'new.txt'), 'utf8')).toBe('one two')
    await invoke('write', { path: join(root, 'sub', 'a', 'b', 'new.txt'), content: 'one' })
    expect(await readFile(join(root, 'sub', 'a', 'b', 'new.txt'), 'utf8')).toBe('one')
    await invoke('edit', { path: join(root, 'sub', 'a', 'b', 'new.txt'), oldText: 'one', newText: 'three' })
    expect(await readFile(join(root, 'sub', 'a', 'b', 'new.txt'), 'utf8')).toBe('three')
  })

  it('refuses to read or list through a directory that now leads outside', async () => {
    const read = await refusal('read', { path: join(root, 'swapped', 'secret.txt') })
    expect(read.code).toBe('denied')
    expect(read.message).toBe(`${join(root, 'swapped', 'secret.txt')} changed while being opened and now resolves to ${join(outside, 'secret.txt')}, outside toolProxy.roots on files`)
    const ls = await refusal('ls', { path: join(root, 'swapped', 'dir') })
    expect(ls.code).toBe('denied')
    expect(ls.message).toContain('changed while being opened')
  })

  it('refuses to write or edit through it, leaving the outside file as it was', async () => {
    const before = await stat(join(outside, 'secret.txt'), { bigint: true })
    for (const [tool, args] of [
      ['write', { path: join(root, 'swapped', 'secret.txt'), content: 'x' }],
      ['write', { path: join(root, 'swapped', 'planted.txt'), content: 'x' }],
      ['edit', { path: join(root, 'swapped', 'secret.txt'), oldText: 'value', newText: 'x' }]
    ] as const) {
      const err = await refusal(tool, args)
      expect(err.code, `${tool} ${args.path}`).toBe('denied')
    }
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('outside value')
    expect((await stat(join(outside, 'secret.txt'), { bigint: true })).mtimeNs).toBe(before.mtimeNs)
    expect((await readdir(outside)).sort()).toEqual(['dir', 'secret.txt'])
  })

  it.runIf(procFd)('never makes a missing parent directory outside', async () => {
    const err = await refusal('write', { path: join(root, 'swapped', 'made', 'deeper', 'file.txt'), content: 'x' })
    expect(err.code).toBe('denied')
    expect((await readdir(outside)).sort()).toEqual(['dir', 'secret.txt'])
  })
})
