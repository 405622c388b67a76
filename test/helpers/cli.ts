import { spawn } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import type { ConfigInput } from '../../src/config/schema.js'

/** The built CLI; `npm test` builds first */
export const CLI = resolve(import.meta.dirname, '../../dist/src/bin/clawmatrix.js')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Run one CLI command to completion (bounded) */
export async function runCli (args: string[], options: { input?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  child.stdin.end(options.input ?? '')
  const timer = setTimeout(() => { child.kill('SIGKILL') }, options.timeoutMs ?? 20_000)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

export interface CliNode {
  child: ChildProcess
  configFile: string
  peerId: string
  nodeId: string
  /** `ws://` multiaddr others dial (listening nodes) */
  dialAddr?: string
  output(): string
  /** SIGTERM and wait for exit */
  stop(): Promise<number | null>
}

export async function writeConfig (config: ConfigInput, dir?: string): Promise<string> {
  const folder = dir ?? await mkdtemp(join(tmpdir(), 'cm-cli-'))
  const file = join(folder, 'config.json')
  await writeFile(file, JSON.stringify({ dataDir: join(folder, 'data'), ...config }, null, 2))
  return file
}

/** `clawmatrix start` in a child process; resolves once it printed its identity */
export async function startCliNode (config: ConfigInput, env: NodeJS.ProcessEnv = {}): Promise<CliNode> {
  const configFile = await writeConfig(config)
  const child = spawn(process.execPath, [CLI, 'start', '--config', configFile], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d })
  const exited = new Promise<number | null>(resolve => child.on('close', resolve))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`node did not start:\n${out}`)) }, 20_000)
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
    peerId,
    nodeId,
    ...(dialAddr != null ? { dialAddr } : {}),
    output: () => out,
    stop: async () => {
      if (child.exitCode == null && child.signalCode == null) child.kill('SIGTERM')
      return await exited
    }
  }
}
