import { mkdir } from 'node:fs/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pbStream } from '@libp2p/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RecordBatch } from '../../protocols/capabilities.js'
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, SYNC_PROTOCOL } from '../../src/capabilities/constants.js'
import { sealRecord } from '../../src/capabilities/record.js'
import { DEMO_MODEL_ID, startDemoModel } from '../../src/demo/demo-model.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { removeTempDirs, startHubMesh, TEST_SECRET } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import { launchChromium, REBIND_HOST } from './chromium.js'
import type { TestHubMesh, TestNode } from '../helpers/mesh.js'
import type { Browser, BrowserContext, Page } from 'playwright-core'

/**
 * The status page in a real headless Chromium, against the demo's mesh: a listening hub, and home
 * and office that only dial out, so home reaches office through the hub's relay. Assertions are
 * on the page's content (text, elements, attributes), never on pixels.
 */

const SCREENSHOT = new URL('../../test-output/status-page.png', import.meta.url)
const HOSTILE_ID = '<img src=x onerror=alert(1)>'

let mesh: TestHubMesh
let home: TestNode
let office: TestNode
let browser: Browser
let upstream: Awaited<ReturnType<typeof startDemoModel>>
const contexts: BrowserContext[] = []

beforeAll(async () => {
  upstream = await startDemoModel()
  browser = await launchChromium()
  mesh = await startHubMesh([
    { config: { nodeId: 'home', tags: ['home'] } },
    {
      config: {
        nodeId: 'office',
        tags: ['office'],
        agents: [{ id: 'demo-agent', description: 'streams a few lines of work', tags: ['demo'], command: [process.execPath, '-e', 'console.log("done")'] }],
        models: [{ id: DEMO_MODEL_ID, upstream: { baseUrl: upstream.baseUrl } }]
      }
    }
  ], { hub: { tags: ['public'] } })
  ;[home, office] = mesh.members
})

afterAll(async () => {
  await Promise.allSettled(contexts.map(async c => { await c.close() }))
  await browser?.close()
  await mesh?.stop()
  await upstream?.close()
  await removeTempDirs()
})

function pageUrl (node: TestNode, host = '127.0.0.1'): string {
  return `http://${host}:${node.api.port}/clawmatrix/`
}

/** a fresh browser context (its own cookies); every dialog is recorded, never accepted */
async function open (options: { javaScriptEnabled?: boolean } = {}): Promise<{ page: Page, context: BrowserContext, dialogs: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1320, height: 900 }, ...options })
  contexts.push(context)
  const page = await context.newPage()
  const dialogs: string[] = []
  page.on('dialog', dialog => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  return { page, context, dialogs }
}

async function logIn (page: Page, node: TestNode, token = node.tokens.apiToken): Promise<number | undefined> {
  await page.goto(pageUrl(node))
  await page.fill('input[name=token]', token)
  const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')])
  return response?.status()
}

/** the text of each cell of the nodes table, by node id */
async function tableRows (page: Page): Promise<Map<string, Record<string, string>>> {
  const rows = await page.locator('#nodes tbody tr').evaluateAll(trs => trs.map(tr => Object.fromEntries(
    Array.from(tr.querySelectorAll('td')).map(td => [td.className, td.textContent ?? ''])
  )))
  return new Map(rows.map(r => [r.node, r]))
}

describe('the status page in a browser', () => {
  it('refuses a wrong token, and a right one sets an HttpOnly, SameSite=Strict session cookie', async () => {
    const { page, context } = await open()
    const first = await page.goto(pageUrl(home))
    expect(first?.status()).toBe(401)
    expect(await page.locator('input[name=token][type=password]').count()).toBe(1)

    expect(await logIn(page, home, 'not-the-token')).toBe(401)
    expect(await page.locator('[role=alert]').textContent()).toContain('not this node\'s API token')
    expect(await context.cookies()).toEqual([])

    expect(await logIn(page, home)).toBe(200)
    expect(page.url()).toBe(pageUrl(home))
    const cookies = await context.cookies()
    expect(cookies).toHaveLength(1)
    expect(cookies[0]).toMatchObject({ name: 'clawmatrix_session', path: '/clawmatrix', httpOnly: true, sameSite: 'Strict' })
    expect(cookies[0].value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // the cookie is out of the page's own reach
    expect(await page.evaluate(() => document.cookie)).toBe('')
    expect(await page.locator('h1 .node-name').textContent()).toBe('home')
  })

  it('draws the three demo nodes, home reaching office relayed through the hub, with live rates and recent errors', async () => {
    const { page } = await open()
    expect(await logIn(page, home)).toBe(200)

    // traffic from home while the page polls: model requests to office, and two that fail
    let sending = true
    const traffic = (async () => {
      while (sending) {
        await home.chat({ model: DEMO_MODEL_ID, messages: [{ role: 'user', content: 'hello mesh' }] }).catch(() => {})
        // paced, so the page shows a steady rate rather than a load test
        await new Promise(resolve => setTimeout(resolve, 50))
      }
    })()
    await home.invokeTool('office', 'read', { path: '/etc/hostname' }).catch(() => {})
    await (async () => { for await (const _ of home.handoff('nobody-here', 'task')) { /* refused before any event */ } })().catch(() => {})

    try {
      await waitFor('the relayed link home -> hub -> office to be drawn with its latency', async () =>
        await page.locator('#topology path.link.relayed[data-from="home"][data-to="office"][data-via="hub"]').count() === 1 &&
        /^\d+ ms$/.test((await tableRows(page)).get('office')?.latency ?? ''), 15_000)
      expect(await page.locator('#topology path.link.direct[data-from="home"][data-to="hub"]').count()).toBe(1)
      expect(await page.locator('#topology g.node.self[data-node="home"]').count()).toBe(1)
      expect(await page.locator('#topology g.node.relay[data-node="hub"]').count()).toBe(1)
      expect(await page.locator('#topology g.node.relayed[data-node="office"]').count()).toBe(1)
      const officeText = await page.locator('#topology g[data-node="office"]').textContent()
      expect(officeText).toContain(`models: ${DEMO_MODEL_ID}`)
      expect(officeText).toContain('agents: demo-agent')
      expect(officeText).toContain('tags: office')
      expect(officeText).toContain('tools off')
      expect(await page.locator('#topology text.link-label', { hasText: 'via hub' }).count()).toBe(1)

      const rows = await tableRows(page)
      expect([...rows.keys()]).toEqual(['home', 'hub', 'office'])
      expect(rows.get('hub')).toMatchObject({ path: 'direct', via: '-' })
      expect(rows.get('office')).toMatchObject({ path: 'relayed', via: 'hub', models: DEMO_MODEL_ID, agents: 'demo-agent', tags: 'office', tools: 'off' })
      expect(rows.get('office')?.latency).toMatch(/^\d+ ms$/)

      const rate = await waitFor('a model request rate above zero', async () => {
        const text = await page.locator('#rates tr[data-plane="model"] td.rate').textContent()
        return text != null && Number(text) > 0 ? Number(text) : undefined
      }, 15_000)
      console.log(`status page: ${rate} model requests/s from home shown live`)
      const errors = await waitFor('the two failed requests in recent errors', async () => {
        const rows = await page.locator('#errors tbody tr').evaluateAll(trs => trs.map(tr => Array.from(tr.querySelectorAll('td')).map(td => td.textContent ?? '')))
        const handoff = rows.find(r => r[1] === 'handoff')
        const tool = rows.find(r => r[1] === 'tool')
        return handoff != null && tool != null ? { handoff, tool } : undefined
      })
      expect(errors.handoff.slice(2)).toEqual(['-', 'unknown_target', expect.stringContaining('"nobody-here"')])
      expect(errors.tool.slice(2)).toEqual(['office', 'disabled', 'read: tool proxy disabled on office'])
      await waitFor('the rate on office in the drawing', async () => (await page.locator('#topology g[data-node="office"] text.rate').count()) === 1)
    } finally {
      sending = false
      await traffic
    }
    await mkdir(new URL('.', SCREENSHOT), { recursive: true })
    await page.screenshot({ path: SCREENSHOT.pathname, fullPage: true })
  })

  it('shows the table of every node without JavaScript', async () => {
    const cookie = await (async () => {
      const { page, context } = await open()
      await logIn(page, home)
      return (await context.cookies())[0]
    })()
    const { page, context } = await open({ javaScriptEnabled: false })
    await context.addCookies([cookie])
    const res = await page.goto(pageUrl(home))
    expect(res?.status()).toBe(200)
    const rows = await tableRows(page)
    expect([...rows.keys()]).toEqual(['home', 'hub', 'office'])
    expect(rows.get('home')?.path).toBe('this node')
    expect(rows.get('office')).toMatchObject({ path: 'relayed', via: 'hub' })
    expect(await page.locator('#topology *').count()).toBe(0)
    await page.screenshot({ path: new URL('status-page-no-js.png', SCREENSHOT).pathname, fullPage: true })
  })

  it('shows a node id full of HTML as text: no element made from it, no dialog', async () => {
    // a member of the mesh pushes a record, signed by a key of its own, whose node id is markup
    const raw = await startTestLibp2p({ listen: false, secret: TEST_SECRET })
    try {
      await raw.dial(mesh.hub.libp2p.getMultiaddrs()[0])
      const key = await generateKeyPair('Ed25519')
      const record = await sealRecord({
        nodeId: HOSTILE_ID, peerId: peerIdFromPrivateKey(key).toString(), agents: [{ id: '<b>agent</b>', description: '', tags: [] }], models: [], tags: ['"><svg onload=alert(2)>'], toolProxy: true, addrs: [], version: 'x', load: 0, seq: BigInt(Date.now()) * 1000n, issuedAt: Date.now()
      }, key)
      const stream = await raw.dialProtocol(mesh.hub.libp2p.peerId, SYNC_PROTOCOL)
      const pb = pbStream(stream, { maxDataLength: MAX_BATCH_BYTES, maxBufferSize: MAX_BATCH_BYTES + 16 }).pb(RecordBatch)
      await Promise.all([pb.read({ limits: { envelopes: MAX_BATCH_RECORDS } }), pb.write({ envelopes: [record as Uint8Array<ArrayBuffer>] })])
      await stream.close()
    } finally {
      await raw.stop()
    }
    await waitFor('the hub to hold the record', () => mesh.hub.peers().some(p => p.nodeId === HOSTILE_ID))

    for (const javaScriptEnabled of [true, false]) {
      const { page, context, dialogs } = await open({ javaScriptEnabled })
      if (javaScriptEnabled) {
        await logIn(page, mesh.hub)
        await waitFor('the hostile node in the drawing', async () => await page.locator('#topology g.node').count() === 4)
      } else {
        const { page: loginPage, context: loginContext } = await open()
        await logIn(loginPage, mesh.hub)
        await context.addCookies(await loginContext.cookies())
        await page.goto(pageUrl(mesh.hub))
      }
      const rows = await tableRows(page)
      expect(rows.get(HOSTILE_ID)).toMatchObject({ agents: '<b>agent</b>', tags: '"><svg onload=alert(2)>' })
      expect(await page.locator('img').count()).toBe(0)
      expect(await page.locator('b').count()).toBe(0)
      expect(await page.locator('svg').count()).toBe(1)
      if (javaScriptEnabled) expect(await page.locator('#topology g.node', { hasText: HOSTILE_ID.slice(0, 20) }).count()).toBe(1)
      expect(dialogs).toEqual([])
    }
  })

  it('refuses a foreign Host (DNS rebinding): a 421, no page', async () => {
    const { page } = await open()
    const res = await page.goto(pageUrl(home, REBIND_HOST))
    expect(res?.status()).toBe(421)
    expect(await res?.json()).toMatchObject({ error: { code: 'misdirected_request' } })
    expect(await page.locator('form, input, table').count()).toBe(0)
  })

  it('shows a node that stops as unreachable without a reload', async () => {
    const { page } = await open()
    await logIn(page, home)
    let navigations = 0
    page.on('framenavigated', () => { navigations++ })
    await waitFor('office drawn as relayed', async () => await page.locator('#topology g.node.relayed[data-node="office"]').count() === 1)
    await office.stop()
    await waitFor('office shown unreachable', async () =>
      await page.locator('#topology g.node.unreachable[data-node="office"]').count() === 1 &&
      (await tableRows(page)).get('office')?.path === 'unreachable', 20_000)
    expect(await page.locator('#topology path[data-to="office"]').count()).toBe(0)
    expect(navigations).toBe(0)
  })
})
