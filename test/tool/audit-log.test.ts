import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { auditArgs, AuditLog } from '../../src/tool/audit.js'
import type { AuditEntry } from '../../src/tool/audit.js'

function entry (n: number): AuditEntry {
  return {
    time: new Date(0).toISOString(),
    caller: { peerId: '12D3KooWexample', nodeId: null },
    tool: 'exec',
    args: { command: `echo ${n}` },
    decision: 'allowed',
    outcome: 'ok',
    durationMs: 1,
    bytesOut: 2,
    truncated: false
  }
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

describe('the audit log', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'cm-audit-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('writes one JSON line per entry, readable by the owner only', async () => {
    const log = new AuditLog(join(dir, 'audit.log'))
    await Promise.all([log.append(entry(1)), log.append(entry(2))])
    const lines = (await readFile(log.file, 'utf8')).trim().split('\n').map(l => JSON.parse(l))
    expect(lines.map(l => l.args.command)).toEqual(['echo 1', 'echo 2'])
    expect((await stat(log.file)).mode & 0o777).toBe(0o600)
  })

  it('rotates by size and keeps a bounded number of old files', async () => {
    const lineBytes = JSON.stringify(entry(10)).length + 1
    const log = new AuditLog(join(dir, 'audit.log'), { maxBytes: lineBytes * 3, keep: 2 })
    for (let n = 10; n < 30; n++) await log.append(entry(n))
    expect((await readdir(dir)).sort()).toEqual(['audit.log', 'audit.log.1', 'audit.log.2'])
    const commands = async (file: string): Promise<string[]> =>
      (await readFile(join(dir, file), 'utf8')).trim().split('\n').map(l => JSON.parse(l).args.command)
    // 20 lines, 3 to a file: 10-12 .. 25-27 were rotated out in turn, 28-29 are current
    expect(await commands('audit.log')).toEqual(['echo 28', 'echo 29'])
    expect(await commands('audit.log.1')).toEqual(['echo 25', 'echo 26', 'echo 27'])
    expect(await commands('audit.log.2')).toEqual(['echo 22', 'echo 23', 'echo 24'])
  })

  it('reduces file contents and long strings to size and sha256', () => {
    const long = 'y'.repeat(5000)
    expect(auditArgs('write', { path: '/srv/a.txt', content: 'hello' })).toEqual({ path: '/srv/a.txt', content: { bytes: 5, sha256: sha256('hello') } })
    expect(auditArgs('edit', { path: 'a', oldText: 'x', newText: '\u00e9' })).toEqual({
      path: 'a',
      oldText: { bytes: 1, sha256: sha256('x') },
      newText: { bytes: 2, sha256: sha256('\u00e9') }
    })
    expect(auditArgs('exec', { command: long, workdir: '/tmp' })).toEqual({ command: { bytes: 5000, sha256: sha256(long) }, workdir: '/tmp' })
    const many = auditArgs('browser', { items: Array.from({ length: 150 }, (_, i) => i) }) as { items: unknown[] }
    expect(many.items).toHaveLength(101)
    expect(many.items[100]).toBe('[50 more]')
  })
})
