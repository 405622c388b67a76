import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApiServer } from '../../src/http/server.js'
import { runCli, writeConfig } from '../helpers/cli.js'
import type { ApiServer } from '../../src/http/server.js'

const chunk = (content: string): string => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`

describe('clawmatrix chat with a broken event stream', () => {
  let api: ApiServer
  let config: string

  beforeAll(async () => {
    api = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      tokens: { apiToken: 'api-token', adminToken: 'admin-token' },
      routes: () => [{
        method: 'POST',
        path: '/v1/chat/completions',
        auth: 'api',
        handle: async ({ res }) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' })
          res.end(chunk('Hello') + 'data: {"choices": [oops\n\n' + chunk(' never shown') + 'data: [DONE]\n\n')
        }
      }]
    })
    config = await writeConfig({ proxyPort: api.port, apiToken: 'api-token' })
  })
  afterAll(async () => {
    await api?.close()
    if (config != null) await rm(dirname(config), { recursive: true, force: true })
  })

  it('names the event that is not JSON, keeps what came before it, and exits 1 without a stack', async () => {
    const chat = await runCli(['chat', 'm', 'hi', '--config', config])
    expect(chat.code).toBe(1)
    expect(chat.stdout).toBe('Hello\n')
    expect(chat.stderr).toBe('error [bad_event]: the answer broke off: the node sent an event that is not JSON ({"choices": [oops)\n')
  })
})
