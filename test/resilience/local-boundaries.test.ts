import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config/resolve.js'
import { BODY_RATE_WINDOW_MS, CONNECTIONS_CHECK_INTERVAL_MS, HEADERS_TIMEOUT_MS, MAX_CONNECTIONS } from '../../src/http/constants.js'
import { readBody, sendJson } from '../../src/http/respond.js'
import { startApiServer } from '../../src/http/server.js'
import { standaloneToolExecutor } from '../../src/standalone/tools/index.js'
import { fileRootsOf } from '../../src/tool/file-roots.js'
import { toolInitFromConfig, toolService } from '../../src/tool/index.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { waitFor } from '../helpers/wait.js'
import type { ToolService } from '../../src/tool/index.js'
import type { Libp2p } from '@libp2p/interface'
import type { ApiServer } from '../../src/http/server.js'
import type { ChildProcess } from 'node:child_process'
import type { Socket } from 'node:net'

/** Tool calls raced against the link swap; CLAWMATRIX_SWAP_RACES=10000 for the long run */
const SWAP_RACES = Number(process.env.CLAWMATRIX_SWAP_RACES ?? 1200)
/** Calls in flight at once (the tool service serves 16) */
const CALLERS = 8

type ToolNode = Libp2p<{ tool: ToolService }>

interface Entry { kind: string, size: number, mtimeNs: bigint, ino: bigint, content?: string }

/** Every entry under `dir` (itself included) with its content, size, inode and mtime */
async function snapshot (dir: string, into = new Map<string, Entry>()): Promise<Map<string, Entry>> {
  const stat = await lstat(dir, { bigint: true })
  into.set(dir, { kind: 'dir', size: 0, mtimeNs: stat.mtimeNs, ino: stat.ino })
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      await snapshot(path, into)
      continue
    }
    const s = await lstat(path, { bigint: true })
    into.set(path, { kind: entry.isFile() ? 'file' : 'other', size: Number(s.size), mtimeNs: s.mtimeNs, ino: s.ino, content: entry.isFile() ? await readFile(path, 'utf8') : undefined })
  }
  return into
}

/**
 * A separate process that swaps `sw` between a real directory and a symbolic link to the
 * outside, as fast as it can: sw → parked, link → sw (sw is the link), sw → link, parked → sw.
 */
function startSwapper (dir: string): ChildProcess {
  // a write in the gap may make sw again (mkdir -p inside the root): move that aside and go on
  const script = `
    const { renameSync } = require('node:fs')
    let made = 0
    const [sw, parked, link] = process.argv.slice(1)
    const put = (from, to) => {
      for (;;) {
        try { renameSync(from, to); return } catch (err) {
          if (!['EISDIR', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes(err.code)) throw err
          try { renameSync(to, to + '.made-' + made++) } catch {}
        }
      }
    }
    process.send('ready')
    for (;;) {
      put(sw, parked); put(link, sw)
      put(sw, link); put(parked, sw)
    }`
  return spawn(process.execPath, ['-e', script, join(dir, 'sw'), join(dir, 'parked'), join(dir, 'link')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
}

describe('file tools hold toolProxy.roots against a concurrent symbolic link swap', () => {
  let base: string
  let root: string
  let outside: string
  let server: ToolNode
  let caller: ToolNode
  let swapper: ChildProcess | undefined

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'cm-swap-'))
    root = join(base, 'root')
    outside = join(base, 'outside')
    for (const side of [join(root, 'sw'), outside]) {
      const secret = side === outside
      await mkdir(join(side, 'dir'), { recursive: true })
      await writeFile(join(side, 'file.txt'), secret ? 'SECRET outside' : 'inside')
      await writeFile(join(side, 'dir', secret ? 'outside-entry' : 'inside-entry'), '')
      await writeFile(join(side, 'existing.txt'), secret ? 'outside existing' : 'inside existing')
      await writeFile(join(side, 'edit.txt'), secret ? 'outside value' : 'inside value')
    }
    await symlink(outside, join(root, 'link'))
    const config = resolveConfig({ nodeId: 'files', dataDir: join(base, 'state'), toolProxy: { enabled: true, roots: [root] } })
    server = await startTestLibp2p({
      listen: true,
      services: { tool: toolService(toolInitFromConfig(config, standaloneToolExecutor({ fileRoots: fileRootsOf(config) }))) }
    }) as unknown as ToolNode
    caller = await startTestLibp2p({ listen: false, services: { tool: toolService(toolInitFromConfig(resolveConfig({ nodeId: 'caller', dataDir: join(base, 'caller') }), standaloneToolExecutor())) } }) as unknown as ToolNode
    await caller.dial(server.getMultiaddrs()[0])
  })

  afterAll(async () => {
    swapper?.kill('SIGKILL')
    await Promise.all([server?.stop(), caller?.stop()])
    await rm(base, { recursive: true, force: true })
  })

  it(`${SWAP_RACES} read/write/edit/ls calls through a swapped directory never reach outside`, async () => {
    const before = await snapshot(outside)
    const outsideStat = async (name: string): Promise<string> => {
      const s = await lstat(join(outside, name), { bigint: true }).catch(() => null)
      return s == null ? 'missing' : `${s.ino}:${s.size}:${s.mtimeNs}`
    }
    const watched = { existing: await outsideStat('existing.txt'), edit: await outsideStat('edit.txt') }

    swapper = startSwapper(root)
    await new Promise<void>((resolve, reject) => { swapper?.once('message', () => { resolve() }); swapper?.once('exit', code => { reject(new Error(`swapper exited ${code}`)) }) })

    /** outcome counts per tool: ok, not_found (the swap's gap), refused at the service's check, refused when opened, escaped */
    const seen: Record<string, Record<string, number>> = {}
    const escapes: string[] = []
    const count = (tool: string, outcome: string): void => {
      seen[tool] ??= {}
      seen[tool][outcome] = (seen[tool][outcome] ?? 0) + 1
    }
    const call = async (i: number): Promise<void> => {
      const kind = i % 5
      const tool = ['read', 'ls', 'write', 'write', 'edit'][kind]
      const args = [
        { path: join(root, 'sw', 'file.txt') },
        { path: join(root, 'sw', 'dir') },
        { path: join(root, 'sw', 'existing.txt'), content: `inside existing ${i}` },
        { path: join(root, 'sw', 'fresh', String(i), 'new.txt'), content: 'new' },
        { path: join(root, 'sw', 'edit.txt'), oldText: 'value', newText: 'value' }
      ][kind]
      const escaped = (what: string): void => { escapes.push(what); outcome = 'escaped' }
      let outcome: string
      try {
        const result = await caller.services.tool.call(server.peerId, { tool, args })
        outcome = 'ok'
        if (kind === 0 && result.content !== 'inside') escaped(`read answered ${JSON.stringify(result.content)}`)
        if (kind === 1 && result.content !== 'inside-entry') escaped(`ls answered ${JSON.stringify(result.content)}`)
      } catch (err: any) {
        const message = String(err.message)
        if (err.code === 'denied' && message.includes('changed while being opened')) outcome = 'refused when opened'
        else if (err.code === 'denied') outcome = 'refused at the check'
        else if (err.code === 'not_found') outcome = 'not_found'
        // mkdir -p met the link or the swapper's leftovers mid-swap
        else if (err.code === 'bad_arguments' && message.includes('is not a directory')) outcome = 'not a directory'
        // two edits of edit.txt at once: one read it between the other's truncate and write
        else if (err.code === 'failed' && message.startsWith('oldText was not found')) outcome = 'edit raced an edit'
        else outcome = `${String(err.code)}: ${message}`
      }
      if (kind === 2 || kind === 4) {
        const name = kind === 2 ? 'existing' : 'edit'
        const now = await outsideStat(`${name}.txt`)
        if (now !== watched[name]) escaped(`${tool} changed ${outside}/${name}.txt`)
        watched[name] = now
      }
      if (kind === 3 && await outsideStat(join('fresh', String(i))) !== 'missing') escaped(`write made ${outside}/fresh/${i}`)
      count(tool, outcome)
    }

    let next = 0
    const started = Date.now()
    await Promise.all(Array.from({ length: CALLERS }, async () => {
      while (next < SWAP_RACES) await call(next++)
    }))
    const seconds = (Date.now() - started) / 1000
    swapper.kill('SIGKILL')
    await new Promise(resolve => swapper?.once('exit', resolve))
    // put sw back as the real directory whichever step the swapper stopped at
    const names = await readdir(root)
    if (names.includes('parked')) {
      if (names.includes('sw')) await rename(join(root, 'sw'), join(root, 'link'))
      await rename(join(root, 'parked'), join(root, 'sw'))
    }
    console.log(`swap races: ${SWAP_RACES} calls in ${seconds.toFixed(1)} s, escapes ${escapes.length} (${(100 * escapes.length / SWAP_RACES).toFixed(2)} %)`, JSON.stringify(seen), escapes.slice(0, 5))

    expect(escapes).toEqual([])
    const after = await snapshot(outside)
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort())
    for (const [path, entry] of before) expect(after.get(path), path).toEqual(entry)
    // it really raced: calls saw the real directory, the link, the gap, and a swap after the check
    const all = Object.values(seen).reduce<Record<string, number>>((sum, outcomes) => {
      for (const [k, v] of Object.entries(outcomes)) sum[k] = (sum[k] ?? 0) + v
      return sum
    }, {})
    expect(Object.keys(all).filter(k => !['ok', 'not_found', 'refused at the check', 'refused when opened', 'not a directory', 'edit raced an edit'].includes(k))).toEqual([])
    expect(all.ok).toBeGreaterThan(0)
    expect(all.not_found).toBeGreaterThan(0)
    expect(all['refused at the check']).toBeGreaterThan(0)
    expect(all['refused when opened']).toBeGreaterThan(0)
  })
})

/** Slow connections held against the API at once (over its connection limit) */
const SLOW_CONNECTIONS = 320

describe('the local HTTP API under slow connections', () => {
  let api: ApiServer
  const sockets: Socket[] = []
  const timers: NodeJS.Timeout[] = []

  afterAll(async () => {
    for (const timer of timers) clearInterval(timer)
    for (const socket of sockets) socket.destroy()
    await api?.close()
  })

  it(`answers a normal request while ${SLOW_CONNECTIONS} connections send their headers a byte every 2 s, then drops them all`, async () => {
    api = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      tokens: { apiToken: 'api-token', adminToken: 'admin-token' },
      routes: () => [
        { method: 'GET', path: '/ping', auth: 'api', handle: async ({ res }) => { sendJson(res, 200, { ok: true }) } },
        { method: 'POST', path: '/upload', auth: 'api', handle: async ({ req, res }) => { sendJson(res, 200, { bytes: (await readBody(req, 1 << 20)).length }) } }
      ]
    })
    const open = async (): Promise<{ socket: Socket, closedAt: () => number | undefined }> => {
      const socket = connect(api.port, '127.0.0.1')
      let closedAt: number | undefined
      socket.on('error', () => {})
      socket.on('close', () => { closedAt = Date.now() })
      sockets.push(socket)
      await once(socket, 'connect')
      return { socket, closedAt: () => closedAt }
    }

    // a body trickling in at 10 bytes a second, well below the minimum rate
    const trickle = await open()
    trickle.socket.write(`POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${api.port}\r\nAuthorization: Bearer api-token\r\nContent-Length: 100000\r\n\r\n`)
    timers.push(setInterval(() => { if (trickle.closedAt() == null) trickle.socket.write('0123456789') }, 1000))

    const request = `GET /ping HTTP/1.1\r\nHost: 127.0.0.1:${api.port}\r\nAuthorization: Bearer api-token\r\n\r\n`
    const started = Date.now()
    const slow = await Promise.all(Array.from({ length: SLOW_CONNECTIONS }, async () => {
      const connection = await open()
      let sent = 0
      connection.socket.write(request[sent++])
      timers.push(setInterval(() => { if (connection.closedAt() == null && sent < request.length - 1) connection.socket.write(request[sent++]) }, 2000))
      return connection
    }))
    await waitFor('the API to be at its connection limit', () => api.connections().open >= MAX_CONNECTIONS)

    const asked = Date.now()
    const res = await fetch(`http://127.0.0.1:${api.port}/ping`, { headers: { authorization: 'Bearer api-token' } })
    const answeredMs = Date.now() - asked
    expect(res.status).toBe(200)
    const stillOpen = slow.filter(c => c.closedAt() == null).length
    // answered while the slow connections hang around, not after they time out
    expect(stillOpen).toBeGreaterThanOrEqual(MAX_CONNECTIONS - 2)

    await waitFor('every slow connection to be closed', () => slow.every(c => c.closedAt() != null), HEADERS_TIMEOUT_MS + 10 * CONNECTIONS_CHECK_INTERVAL_MS + 5_000)
    const lastClosedMs = Math.max(...slow.map(c => (c.closedAt() ?? 0) - started))
    await waitFor('the trickling upload to be closed', () => trickle.closedAt() != null, 2 * BODY_RATE_WINDOW_MS + 5_000)
    const counts = api.connections()
    console.log(`slow connections: ${SLOW_CONNECTIONS} opened, normal request answered in ${answeredMs} ms with ${stillOpen} still open; ` +
      `${counts.evicted} evicted at the limit, the rest closed by the headers timeout, last after ${lastClosedMs} ms; ` +
      `trickling body closed after ${(trickle.closedAt() ?? 0) - started} ms; counts ${JSON.stringify(counts)}`)
    expect(counts.evicted).toBeGreaterThanOrEqual(SLOW_CONNECTIONS + 1 - MAX_CONNECTIONS)
    expect(counts.slowBodies).toBe(1)
    expect(counts.refused).toBe(0)
  })
})
