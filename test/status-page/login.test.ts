import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_FAILED_LOGINS, MAX_LOGIN_BODY_BYTES, PAGE_SECURITY_HEADERS, SESSION_COOKIE } from '../../src/status-page/constants.js'
import { LoginThrottle } from '../../src/status-page/login-throttle.js'
import { removeTempDirs, startNode } from '../helpers/mesh.js'
import type { TestNode } from '../helpers/mesh.js'

/**
 * The status page without a browser: the login form, the session cookie, the page and its JSON
 * view, against a real node's API. (The browser suite, test/browser, drives the same page in
 * Chromium.)
 */

let node: TestNode
let base: string

beforeAll(async () => {
  node = await startNode({ nodeId: 'solo', tags: ['lab'] }, { metrics: false })
  base = `http://127.0.0.1:${node.api.port}`
})
afterAll(async () => {
  await node.stop()
  await removeTempDirs()
})

async function login (token: string | null, init: RequestInit = {}): Promise<Response> {
  return await fetch(`${base}/clawmatrix/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: token != null ? new URLSearchParams({ token }).toString() : '',
    ...init
  })
}

async function session (): Promise<string> {
  const res = await login(node.tokens.apiToken)
  const cookie = res.headers.get('set-cookie') ?? ''
  return cookie.split(';')[0]
}

function expectPageHeaders (res: Response): void {
  for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) expect(res.headers.get(name), name).toBe(value)
}

describe('status page login', () => {
  it('shows the login form (401) until logged in, with the strict headers', async () => {
    const res = await fetch(`${base}/clawmatrix/`)
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expectPageHeaders(res)
    const html = await res.text()
    expect(html).toContain('<form method="post" action="/clawmatrix/login">')
    expect(html).toContain('name="token" type="password"')
    expect(html).not.toMatch(/<script|style=/)
  })

  it('refuses a wrong or missing token with the form and a message', async () => {
    const wrong = await login('not-the-token')
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('set-cookie')).toBeNull()
    expect(await wrong.text()).toContain('That token is not this node&#39;s API token or admin token.')
    const missing = await login(null)
    expect(missing.status).toBe(401)
    expect(await missing.text()).toContain('Enter the API token.')
  })

  it('turns the api token or the admin token into an HttpOnly, SameSite=Strict session cookie', async () => {
    for (const token of [node.tokens.apiToken, node.tokens.adminToken]) {
      const res = await login(token)
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/clawmatrix/')
      expect(res.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/clawmatrix; Max-Age=43200$`))
    }
  })

  it('takes only a bounded form body', async () => {
    const json = await login(null, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: node.tokens.apiToken }) })
    expect(json.status).toBe(415)
    const big = await login('x'.repeat(MAX_LOGIN_BODY_BYTES + 1))
    expect(big.status).toBe(413)
  })

  it('serves the page and its view to a session, and ends the session at logout', async () => {
    const cookie = await session()
    const page = await fetch(`${base}/clawmatrix/`, { headers: { cookie } })
    expect(page.status).toBe(200)
    expectPageHeaders(page)
    const html = await page.text()
    expect(html).toContain('<tr data-node="solo" class="self">')
    expect(html).toContain('<script src="/clawmatrix/page.js"></script>')

    const view = await fetch(`${base}/clawmatrix/view`, { headers: { cookie } })
    expect(view.status).toBe(200)
    const body = await view.json()
    expect(body.node).toMatchObject({ nodeId: 'solo', peerId: node.peerId, tags: ['lab'] })
    expect(body.peers).toEqual([])
    expect(body.activity.totals.model).toEqual({ requests: 0, errors: 0 })

    const logout = await fetch(`${base}/clawmatrix/logout`, { method: 'POST', redirect: 'manual', headers: { cookie } })
    expect(logout.status).toBe(303)
    expect(logout.headers.get('set-cookie')).toBe(`${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/clawmatrix; Max-Age=0`)
    expect((await fetch(`${base}/clawmatrix/`, { headers: { cookie } })).status).toBe(401)
    expect((await fetch(`${base}/clawmatrix/view`, { headers: { cookie } })).status).toBe(401)
  })

  it('serves the view to the api token as a bearer, and to nobody else', async () => {
    expect((await fetch(`${base}/clawmatrix/view`)).status).toBe(401)
    expect((await fetch(`${base}/clawmatrix/view`, { headers: { cookie: `${SESSION_COOKIE}=made-up` } })).status).toBe(401)
    expect((await fetch(`${base}/clawmatrix/view`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
    expect((await fetch(`${base}/clawmatrix/view`, { headers: { authorization: `Bearer ${node.tokens.apiToken}` } })).status).toBe(200)
  })

  it('serves its script and style from the package, with the strict headers', async () => {
    for (const [path, type, file] of [['page.js', 'text/javascript; charset=utf-8', 'page.js'], ['page.css', 'text/css; charset=utf-8', 'page.css']]) {
      const res = await fetch(`${base}/clawmatrix/${path}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe(type)
      expectPageHeaders(res)
      const source = await readFile(new URL(`../../src/status-page/assets/${file}`, import.meta.url), 'utf8')
      expect(await res.text()).toBe(source)
      // `npm run build` (run before `npm test`) puts the same file beside the built page
      expect(await readFile(new URL(`../../dist/src/status-page/assets/${file}`, import.meta.url), 'utf8')).toBe(source)
    }
    expect((await fetch(`${base}/clawmatrix`, { redirect: 'manual' })).headers.get('location')).toBe('/clawmatrix/')
  })

  it('lists failed requests with metrics off, every remote string escaped in the page', async () => {
    const target = '<img src=x onerror=alert(1)>'
    await expect(async () => { for await (const _ of node.handoff(target, 'task')) { /* no events expected */ } }).rejects.toThrow()
    const cookie = await session()
    const view = await (await fetch(`${base}/clawmatrix/view`, { headers: { cookie } })).json()
    expect(view.activity.totals.handoff).toEqual({ requests: 1, errors: 1 })
    expect(view.activity.errors).toHaveLength(1)
    expect(view.activity.errors[0]).toMatchObject({ plane: 'handoff', node: null })
    expect(view.activity.errors[0].message).toContain(target)
    const html = await (await fetch(`${base}/clawmatrix/`, { headers: { cookie } })).text()
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).not.toContain(target)
  })
})

describe('failed logins', () => {
  it('past the limit, refuses every login (the right token too) with 429 and retry-after, without a session', async () => {
    const guarded = await startNode({ nodeId: 'guarded' }, { metrics: false })
    try {
      const attempt = async (token: string): Promise<Response> => await fetch(`http://127.0.0.1:${guarded.api.port}/clawmatrix/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString()
      })
      for (let i = 0; i < MAX_FAILED_LOGINS; i++) expect((await attempt(`guess-${i}`)).status).toBe(401)
      const refused = await attempt(guarded.tokens.apiToken)
      expect(refused.status).toBe(429)
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(refused.headers.get('set-cookie')).toBeNull()
      expect(await refused.text()).toContain('Too many failed logins')
      // the bearer token on the API is not throttled
      expect((await fetch(`http://127.0.0.1:${guarded.api.port}/clawmatrix/view`, { headers: { authorization: `Bearer ${guarded.tokens.apiToken}` } })).status).toBe(200)
    } finally {
      await guarded.stop()
    }
  })

  it('count per window: the window\'s end lets logins in again', () => {
    const throttle = new LoginThrottle(2, 1000)
    expect(throttle.blockedForMs(0)).toBe(0)
    throttle.failed()
    throttle.failed()
    expect(throttle.blockedForMs(400)).toBe(600)
    expect(throttle.blockedForMs(1000)).toBe(0)
  })
})
