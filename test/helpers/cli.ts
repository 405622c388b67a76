import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { API_TOKEN_FILE } from '../../src/http/tokens.js'
import { waitFor } from './wait.js'
import type { ConfigInput } from '../../src/config/schema.js'
import type { PeerStatus } from '../../src/node/status.js'

/** The built CLI; `npm test` builds first */
export const CLI = resolve(import.meta.dirname, '../../dist/src/bin/clawmatrix.js')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliRunOptions {
  input?: string
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
}

/** Run one CLI command to completion (bounded) */
export async function runCli (args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  const { stdout, ...rest } = await runCliBytes(args, options)
  return { ...rest, stdout: stdout.toString('utf8') }
}

/** runCli, with stdout exactly as the command wrote it */
export async function runCliBytes (args: string[], options: CliRunOptions = {}): Promise<Omit<CliResult, 'stdout'> & { stdout: Buffer }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] })
  const stdout: Buffer[] = []
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout.push(chunk) })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  child.stdin.end(options.input ?? '')
  const timer = setTimeout(() => { child.kill('SIGKILL') }, options.timeoutMs ?? 20_000)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(timer)
  return { code, stdout: Buffer.concat(stdout), stderr }
}

export interface CliNode {
  child: ChildProcess
  configFile: string
  /** the folder holding the config file and, unless the config names another, the dataDir */
  dir: string
  peerId: string
  nodeId: string
  /** `ws://` multiaddr others dial (listening nodes) */
  dialAddr?: string
  output(): string
  /** SIGTERM and wait for exit */
  stop(): Promise<number | null>
  /** SIGKILL: the node dies without a word to anyone; resolves once it has exited */
  kill(): Promise<void>
}

export async function writeConfig (config: ConfigInput, dir?: string): Promise<string> {
  const folder = dir ?? await mkdtemp(join(tmpdir(), 'cm-cli-'))
  const file = join(folder, 'config.json')
  await writeFile(file, JSON.stringify({ dataDir: join(folder, 'data'), ...config }, null, 2))
  return file
}

/** `clawmatrix start` in a child process; resolves once it printed its identity */
export async function startCliNode (config: ConfigInput, env: NodeJS.ProcessEnv = {}): Promise<CliNode> {
  const dir = await mkdtemp(join(tmpdir(), 'cm-cli-'))
  const configFile = await writeConfig(config, dir)
  const child = spawn(process.execPath, [CLI, 'start', '--config', configFile], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d })
  const exited = new Promise<number | null>(resolve => child.on('close', resolve))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`node did not start:\n${out}`))
    }, 20_000)
    const check = (): void => {
      if (/^API: /m.test(out)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout.on('data', check)
    exited.then(code => { clearTimeout(timer); reject(new Error(`node exited with ${String(code)}:\n${out}`)) }, () => {})
  })
  const peerId = /^peer ID:\s+(\S+)/m.exec(out)?.[1] ?? ''
  const nodeId = /^node id:\s+(\S+)/m.exec(out)?.[1] ?? ''
  const dialAddr = /^listen:\s+(\S+\/ws\/p2p\/\S+)/m.exec(out)?.[1]
  return {
    child,
    configFile,
    dir,
    peerId,
    nodeId,
    ...(dialAddr != null ? { dialAddr } : {}),
    output: () => out,
    stop: async () => {
      if (child.exitCode == null && child.signalCode == null) child.kill('SIGTERM')
      return await exited
    },
    kill: async () => {
      if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL')
      await exited
    }
  }
}

export interface Joined {
  output(): string
  stop(): Promise<void>
}

/** `clawmatrix join` in a child process (it starts the node in the foreground); resolves once the API is up */
export async function joinInForeground (args: string[], home: string): Promise<Joined> {
  const child = spawn(process.execPath, [CLI, 'join', ...args], { env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d })
  const exited = new Promise<number | null>(resolve => child.on('close', resolve))
  const stop = async (): Promise<void> => {
    if (child.exitCode == null && child.signalCode == null) child.kill('SIGTERM')
    await exited
  }
  await Promise.race([
    waitFor('the joined node to start', () => /^API: /m.test(out), 30_000),
    exited.then(code => { throw new Error(`join exited with ${String(code)}:\n${out}`) })
  ]).catch(async err => { await stop(); throw err })
  return { output: () => out, stop }
}

/** GET /clawmatrix/peers of a node's API, with the token kept in its dataDir */
export async function peersOf (apiPort: number, dataDir: string): Promise<PeerStatus[]> {
  const token = (await readFile(join(dataDir, API_TOKEN_FILE), 'utf8')).trim()
  const res = await fetch(`http://127.0.0.1:${apiPort}/clawmatrix/peers`, { headers: { authorization: `Bearer ${token}` } })
  return await res.json() as PeerStatus[]
}

/** Processes and folders a test file makes, stopped and removed together at the end */
export interface Scratch {
  nodes: Array<{ stop(): Promise<unknown> }>
  /** a new temporary folder, removed by `cleanUp` */
  tempDir(prefix: string): Promise<string>
  cleanUp(): Promise<void>
}

export function scratch (): Scratch {
  const nodes: Scratch['nodes'] = []
  const dirs: string[] = []
  return {
    nodes,
    async tempDir (prefix) {
      const dir = await mkdtemp(join(tmpdir(), prefix))
      dirs.push(dir)
      return dir
    },
    async cleanUp () {
      await Promise.all(nodes.map(async n => await n.stop()))
      await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
    }
  }
}
