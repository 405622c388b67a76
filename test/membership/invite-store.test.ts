import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { InviteStore, tokenHash } from '../../src/membership/invite-store.js'

const dirs: string[] = []
afterEach(async () => { await Promise.all(dirs.splice(0).map(async d => { await rm(d, { recursive: true, force: true }) })) })

async function fileIn (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cm-invites-'))
  dirs.push(dir)
  return join(dir, 'membership', 'invites')
}

describe('the invites an admin keeps', () => {
  it('keeps only token hashes on disk, counts uses, and reads them back', async () => {
    const file = await fileIn()
    const store = new InviteStore(file)
    const token = await store.issue({ expiresAt: Date.now() + 60_000, uses: 2, name: 'laptop' })
    expect(token.byteLength).toBe(32)
    const text = await readFile(file, 'utf8')
    expect(text).toContain(tokenHash(token))
    expect(text).not.toContain(Buffer.from(token).toString('hex'))
    await expect(store.use(token, 'desktop')).rejects.toMatchObject({ code: 'node_id_taken' })
    await store.use(token, 'laptop')
    const again = new InviteStore(file)
    await again.use(token, 'laptop')
    await expect(new InviteStore(file).use(token, 'laptop')).rejects.toMatchObject({ code: 'invite_used' })
  })

  it('gives two redeems at once of a single-use invite one use', async () => {
    const store = new InviteStore(await fileIn())
    const token = await store.issue({ expiresAt: Date.now() + 60_000, uses: 1 })
    const results = await Promise.allSettled([store.use(token, 'a'), store.use(token, 'b'), store.use(token, 'c')])
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1)
  })

  it('is bounded: expired invites are dropped, used-up ones make room, and then issuing is refused', async () => {
    const file = await fileIn()
    const store = new InviteStore(file, 3)
    const used = await store.issue({ expiresAt: Date.now() + 60_000, uses: 1 })
    await store.use(used, 'a')
    await store.issue({ expiresAt: Date.now() - 1, uses: 1 })
    await store.issue({ expiresAt: Date.now() + 60_000, uses: 1 })
    await store.issue({ expiresAt: Date.now() + 60_000, uses: 1 })
    expect(store.size).toBe(3)
    await store.issue({ expiresAt: Date.now() + 60_000, uses: 1 })
    await expect(store.check(used, 'a')).rejects.toMatchObject({ code: 'unknown_invite' })
    await expect(store.issue({ expiresAt: Date.now() + 60_000, uses: 1 })).rejects.toThrow(/keeps 3 unexpired invites already/)
    expect(JSON.parse(await readFile(file, 'utf8'))).toHaveLength(3)
  })
})
