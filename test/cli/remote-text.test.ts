import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatStatus } from '../../src/cli/format-status.js'
import { terminalSafe, terminalSafeJson, terminalSafeProse } from '../../src/cli/terminal-text.js'
import { sendJson } from '../../src/http/respond.js'
import { startApiServer } from '../../src/http/server.js'
import { runCli, writeConfig } from '../helpers/cli.js'
import type { ApiServer } from '../../src/http/server.js'
import type { NodeStatus, PeerStatus } from '../../src/node/status.js'

/** What a hostile peer might put in any string it announces or answers with */
const HOSTILE = 'gpu\x1b]0;owned\x07\x1b[2J\x9b31m\u202Eevil\u2066\u200B\x7f\r\nline2\uD800'

/** Characters that must never reach a terminal raw from remote text */
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\uD800-\uDFFF]/

function hostileStatus (): NodeStatus {
  const peer = {
    nodeId: HOSTILE,
    peerId: `12D3KooW${HOSTILE}`,
    agents: [{ id: HOSTILE, description: HOSTILE, tags: [HOSTILE] }],
    models: [{ id: HOSTILE, available: true }],
    tags: [HOSTILE, 'gpu'],
    connected: true,
    path: 'relayed',
    reachableVia: HOSTILE,
    latencyMs: 3,
    standing: 'ok',
    toolProxy: false,
    version: HOSTILE,
    load: null,
    lastSeenMs: 10,
    lastError: HOSTILE
  }
  return {
    nodeId: 'local',
    peerId: '12D3KooWlocal',
    version: '1',
    listen: false,
    listenAddrs: [],
    proxyHost: '127.0.0.1',
    proxyPort: 1,
    agents: [],
    models: [{ id: HOSTILE, available: false }],
    tags: [],
    toolProxy: { enabled: false, openToAllMembers: false },
    rejectedRecords: { malformed: 0, signature: 0, nonMember: 0 },
    peers: [peer]
  } as unknown as NodeStatus
}

describe('remote text shown on a terminal', () => {
  it('renders every control, format and separator character visibly and leaves printable text alone', () => {
    expect(terminalSafe('\x1b[31mred\x9b\u202Eevil\u200B\x7f\t\n')).toBe('\\x1b[31mred\\x9b\\u{202e}evil\\u{200b}\\x7f\\x09\\x0a')
    expect(terminalSafe('café 日本 👍 gpu-node.1')).toBe('café 日本 👍 gpu-node.1')
    expect(terminalSafe('\uD800 \u{E0001}')).toBe('\\u{d800} \\u{e0001}')
    expect(terminalSafeProse('line1\n\tline2\x1b[2J\r')).toBe('line1\n\tline2\\x1b[2J\\x0d')
  })

  it('JSON stays JSON, parses to the same value, and carries no raw control or bidi character', () => {
    const value = { s: HOSTILE, list: [HOSTILE], astral: '\u{E0001}' }
    const text = terminalSafeJson(value, 2)
    expect(JSON.parse(text)).toEqual(value)
    expect(text.replace(/\n/g, '')).not.toMatch(RAW)
  })

  it('status escapes every string a peer announced', () => {
    const out = formatStatus(hostileStatus())
    expect(out.replace(/\n/g, '')).not.toMatch(RAW)
    expect(out).toContain('gpu\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u{202e}evil')
  })
})

describe('CLI commands print remote text safely', () => {
  let api: ApiServer
  let config: string

  beforeAll(async () => {
    api = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      tokens: { apiToken: 'api-token', adminToken: 'admin-token' },
      routes: () => [
        { method: 'GET', path: '/clawmatrix/status', auth: 'api', handle: async ({ res }) => { sendJson(res, 200, hostileStatus()) } },
        { method: 'GET', path: '/clawmatrix/peers', auth: 'api', handle: async ({ res }) => { sendJson(res, 200, hostileStatus().peers as PeerStatus[]) } },
        {
          method: 'POST',
          path: '/v1/chat/completions',
          auth: 'api',
          handle: async ({ res }) => { sendJson(res, 502, { error: { message: `upstream said ${HOSTILE}`, type: 'server_error', code: `bad${HOSTILE}` } }) }
        }
      ]
    })
    config = await writeConfig({ proxyPort: api.port, apiToken: 'api-token' })
  })
  afterAll(async () => {
    await api?.close()
    if (config != null) await rm(dirname(config), { recursive: true, force: true })
  })

  it('status, status --json and peers', async () => {
    const status = await runCli(['status', '--config', config])
    expect(status.code).toBe(0)
    expect(status.stdout.replace(/\n/g, '')).not.toMatch(RAW)
    expect(status.stdout).toContain('\\x1b]0;owned')
    for (const args of [['status', '--json'], ['peers']]) {
      const json = await runCli([...args, '--config', config])
      expect(json.code).toBe(0)
      expect(json.stdout.replace(/\n/g, '')).not.toMatch(RAW)
      expect(JSON.stringify(JSON.parse(json.stdout))).toContain(JSON.stringify(HOSTILE).slice(1, -1))
    }
  })

  it('error [<code>]: <message> from a peer', async () => {
    const chat = await runCli(['chat', 'm', 'hi', '--config', config])
    expect(chat.code).toBe(1)
    expect(chat.stderr.replace(/\n$/, '')).not.toMatch(RAW)
    expect(chat.stderr).toMatch(/^error \[badgpu\\x1b\]0;owned\\x07.*\]: upstream said gpu\\x1b\]0;owned/)
  })
})
