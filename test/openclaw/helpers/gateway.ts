import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cleanEnv, killGroup, run, runOk, waitFor } from './commands.js'
import type { CommandResult } from './commands.js'
import type { ChildProcess } from 'node:child_process'

/** A cold gateway start takes ~30 s here; with other work on 2 cores, more */
const START_TIMEOUT_MS = 180_000
const STOP_TIMEOUT_MS = 30_000
/** a plugin CLI call costs ~11 s of cold start */
const CLI_TIMEOUT_MS = 120_000
/** a busy gateway on 2 shared cores can take more than the CLI's default 10 s to answer */
const GATEWAY_CALL_TIMEOUT_MS = 60_000

export interface GatewayInit {
  name: string
  /** the gateway's own folder: HOME, TMPDIR and logs live under it */
  dir: string
  /** npm's cache for plugin installs (the gateways may share one) */
  npmCache: string
  port: number
  openclawBin: string
  /** more environment for the gateway and its CLI (e.g. a provider's API key, as a user sets it) */
  env?: Record<string, string>
}

/**
 * One real OpenClaw gateway on loopback with its own HOME (state and openclaw.json), TMPDIR,
 * npm cache and log file, run as its own process group so that stopping it takes everything
 * it started along.
 */
export class Gateway {
  readonly name: string
  readonly home: string
  readonly port: number
  readonly token: string
  private readonly dir: string
  private readonly npmCache: string
  private readonly openclawBin: string
  private readonly extraEnv: Record<string, string>
  private child: ChildProcess | undefined

  constructor (init: GatewayInit) {
    this.name = init.name
    this.dir = init.dir
    this.home = join(init.dir, 'home')
    this.npmCache = init.npmCache
    this.port = init.port
    this.token = `e2e-${init.name}-token-0123456789`
    this.openclawBin = init.openclawBin
    this.extraEnv = init.env ?? {}
  }

  /** where the test's config sends the gateway's log (JSON lines) */
  get logFile (): string {
    return join(this.dir, 'gateway.log')
  }

  get configFile (): string {
    return join(this.home, '.openclaw', 'openclaw.json')
  }

  get stateDir (): string {
    return join(this.home, '.openclaw')
  }

  get url (): string {
    return `http://127.0.0.1:${this.port}`
  }

  env (): NodeJS.ProcessEnv {
    return cleanEnv({
      HOME: this.home,
      TMPDIR: join(this.dir, 'tmp'),
      npm_config_cache: this.npmCache,
      NO_COLOR: '1',
      ...this.extraEnv
    })
  }

  /** write openclaw.json (plain JSON is valid JSON5) */
  async writeConfig (config: Record<string, unknown>): Promise<void> {
    await mkdir(join(this.dir, 'tmp'), { recursive: true })
    await mkdir(join(this.home, '.openclaw'), { recursive: true })
    await writeFile(this.configFile, JSON.stringify(config, null, 2) + '\n')
  }

  async readConfig (): Promise<any> {
    return JSON.parse(await readFile(this.configFile, 'utf8'))
  }

  /** change openclaw.json in place (OpenClaw rewrites it as plain JSON after its own writes) */
  async editConfig (edit: (config: any) => void): Promise<void> {
    const config = await this.readConfig()
    edit(config)
    await writeFile(this.configFile, JSON.stringify(config, null, 2) + '\n')
  }

  /** the openclaw CLI with this gateway's environment */
  async cli (args: string[], timeoutMs = CLI_TIMEOUT_MS): Promise<CommandResult> {
    return await run(this.openclawBin, args, { env: this.env(), timeoutMs })
  }

  async cliOk (args: string[], timeoutMs = CLI_TIMEOUT_MS): Promise<CommandResult> {
    return await runOk(this.openclawBin, args, { env: this.env(), timeoutMs })
  }

  get outputFile (): string {
    return join(this.dir, 'gateway.out')
  }

  /** the end of what the gateway printed, for failure messages */
  async outputTail (chars = 4000): Promise<string> {
    const text = await readFile(this.outputFile, 'utf8').catch(() => '')
    return text.slice(-chars)
  }

  async start (): Promise<void> {
    const log = createWriteStream(this.outputFile)
    const child = spawn(this.openclawBin, ['gateway', 'run'], { env: this.env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout?.pipe(log)
    child.stderr?.pipe(log)
    this.child = child
    const exited = new Promise<never>((_resolve, reject) => {
      child.once('exit', code => {
        this.outputTail().then(tail => {
          reject(new Error(`gateway ${this.name} exited (${String(code)}) while starting:\n${tail}`))
        }, reject)
      })
    })
    exited.catch(() => {})
    await Promise.race([
      exited,
      waitFor(`gateway ${this.name} on ${this.url}/healthz`, async () => {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(5000) })
        return res.ok ? true : undefined
      }, { timeoutMs: START_TIMEOUT_MS, intervalMs: 500 })
    ])
  }

  /** the gateway's log lines that mention `word` (its log file is JSON lines) */
  async logLines (word: string | RegExp, max = 40): Promise<string[]> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '')
    const lines: string[] = []
    for (const line of text.split('\n')) {
      if (typeof word === 'string' ? !line.includes(word) : !word.test(line)) continue
      try {
        const entry = JSON.parse(line)
        lines.push(`${String(entry.time ?? '')} ${String(entry._meta?.logLevelName ?? '')} ${String(entry.message ?? entry['1'] ?? line)}`)
      } catch {
        lines.push(line)
      }
    }
    return lines.slice(-max)
  }

  /** SIGTERM, then SIGKILL at the deadline; then any process still carrying this HOME */
  async stop (): Promise<void> {
    const child = this.child
    this.child = undefined
    if (child?.pid != null && child.exitCode == null && child.signalCode == null) {
      const exited = new Promise<void>(resolve => { child.once('exit', () => { resolve() }) })
      killGroup(child.pid, 'SIGTERM')
      const timer = setTimeout(() => { killGroup(child.pid, 'SIGKILL') }, STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    }
    await killProcessesWithHome(this.home)
  }

  /** a gateway RPC through OpenClaw's own CLI (`openclaw gateway call`) */
  async call (method: string, params: Record<string, unknown> = {}): Promise<any> {
    const result = await this.cliOk(['gateway', 'call', method, '--params', JSON.stringify(params), '--json', '--timeout', String(GATEWAY_CALL_TIMEOUT_MS)])
    return JSON.parse(result.stdout)
  }

  /** POST /tools/invoke: how an operator (or a test) calls a plugin tool */
  async invokeTool (tool: string, args: Record<string, unknown>): Promise<any> {
    const res = await fetch(`${this.url}/tools/invoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tool, args }),
      signal: AbortSignal.timeout(CLI_TIMEOUT_MS)
    })
    const body: any = await res.json()
    if (!res.ok || body?.ok !== true) throw new Error(`/tools/invoke ${tool} answered ${res.status}: ${JSON.stringify(body)}`)
    return body.result
  }

  /** one agent turn through the gateway's OpenAI-compatible endpoint, on `model` */
  async chat (model: string, prompt: string): Promise<{ status: number, body: any }> {
    const res = await fetch(`${this.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', 'x-openclaw-model': model },
      body: JSON.stringify({ model: 'openclaw/default', messages: [{ role: 'user', content: prompt }] }),
      signal: AbortSignal.timeout(CLI_TIMEOUT_MS)
    })
    return { status: res.status, body: await res.json().catch(() => undefined) }
  }
}

/** Kill every process whose environment has HOME=<home> (helpers the gateway started in their own groups) */
export async function killProcessesWithHome (home: string): Promise<number[]> {
  const killed: number[] = []
  const needle = `\0HOME=${home}\0`
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    const environ = await readFile(`/proc/${entry}/environ`, 'latin1').catch(() => '')
    if (!`\0${environ}`.includes(needle)) continue
    try {
      process.kill(Number(entry), 'SIGKILL')
      killed.push(Number(entry))
    } catch {}
  }
  return killed
}
