import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_SEQ_AHEAD_MS } from '../../src/capabilities/constants.js'
import { SEQ_FILE } from '../../src/capabilities/index.js'
import { removeTempDirs, startNode } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { TestNode } from '../helpers/mesh.js'

const running: TestNode[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => { await n.stop().catch(() => {}) }))
  await removeTempDirs()
})

const micros = (ms: number): bigint => BigInt(ms) * 1000n

describe('record seq across restarts', () => {
  it('continues above the highest seq it signed before, even when its clock now reads earlier', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cm-seq-'))
    const first = await startNode({ nodeId: 'n' }, { dataDir })
    const signed = await waitFor('a record', () => first.capabilities.own()?.seq)
    await first.stop()
    expect(BigInt((await readFile(join(dataDir, SEQ_FILE), 'utf8')).trim())).toBeGreaterThanOrEqual(signed)

    // as if the clock had run two minutes ahead while the last record was signed
    const ahead = micros(Date.now() + 120_000)
    await writeFile(join(dataDir, SEQ_FILE), `${ahead}\n`)
    const second = await startNode({ nodeId: 'n' }, { dataDir })
    running.push(second)
    expect(await waitFor('a record', () => second.capabilities.own()?.seq)).toBeGreaterThan(ahead)
  })

  it('does not follow a stored seq further ahead than peers accept', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cm-seq-'))
    const farAhead = micros(Date.now() + MAX_SEQ_AHEAD_MS + 3600_000)
    await writeFile(join(dataDir, SEQ_FILE), `${farAhead}\n`)
    const node = await startNode({ nodeId: 'n' }, { dataDir })
    running.push(node)
    expect(await waitFor('a record', () => node.capabilities.own()?.seq)).toBeLessThan(micros(Date.now() + 60_000))
  })
})
