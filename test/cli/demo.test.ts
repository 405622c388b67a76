import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait.js'
import { CLI } from '../helpers/cli.js'

describe('npm start (the demo)', () => {
  it('prints the status page URL and the file whose token logs in to it', async () => {
    const child = spawn(process.execPath, [CLI, 'demo'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d })
    const exited = new Promise<number | null>(resolve => child.on('close', resolve))
    try {
      const [, url, tokenFile] = await waitFor('the status page lines', () =>
        /Status page of home: (http:\/\/127\.0\.0\.1:\d+\/clawmatrix\/)\n {2}log in with the token in (\S+)\n/.exec(out) ?? undefined, 25_000)
      const form = await fetch(url)
      expect(form.status).toBe(401)
      expect(await form.text()).toContain('action="/clawmatrix/login"')
      const token = (await readFile(tokenFile, 'utf8')).trim()
      const login = await fetch(new URL('login', url), {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString()
      })
      expect(login.status).toBe(303)
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]
      const page = await (await fetch(url, { headers: { cookie } })).text()
      for (const node of ['home', 'hub', 'office']) expect(page).toContain(`<tr data-node="${node}"`)
    } finally {
      child.kill('SIGINT')
      await exited
    }
  })
})
