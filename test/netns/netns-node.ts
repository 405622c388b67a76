import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { CLI, writeConfig } from '../helpers/cli.js'
import { waitFor } from '../helpers/wait.js'
import type { ChildProcess } from 'node:child_process'
import type { ConfigInput } from '../../src/config/schema.js'
import type { NodeStatus, PeerStatus } from '../../src/node/status.js'

const UPSTREAM = resolve(import.meta.dirname, 'fixtures/bulk-upstream.mjs')

export const SECRET = 'netns-lab-secret-0123456789'

/** A process in a namespace: its output so far, and how to end it */
export interface NsProcess {
  child: ChildProcess
  output(): string
  stop(): Promise<void>
}

function spawnIn (ns: string, args: string[], env: NodeJS.ProcessEnv = {}): NsProcess {
  // `ip netns exec` enters the namespace and execs the command: the child is the node itself
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { out += d })
  const exited = new Promise<void>(resolve => child.on('close', () => { resolve() }))
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode == null && child.signalCode == null) child.kill('SIGTERM')
      const timer = setTimeout(() => { child.kill('SIGKILL') }, 10_000)
      await exited
      clearTimeout(timer)
    }
  }
}

/** one command to completion in `ns` (bounded) */
async function runIn (ns: string, args: string[], timeoutMs = 30_000): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

export interface NetnsNode extends NsProcess {
  ns: string
  peerId: string
  nodeId: string
  configFile: string
  status(): Promise<NodeStatus>
  /** this node's status of the peer named `nodeId` */
  peer(nodeId: string): Promise<PeerStatus | undefined>
  /** `clawmatrix chat <model> <prompt>`: the answer's length, or throws with the CLI's error */
  chat(model: string): Promise<number>
}

/** `clawmatrix start` in `ns`; resolves once its API is up */
export async function startNetnsNode (ns: string, config: ConfigInput, env: NodeJS.ProcessEnv = {}): Promise<NetnsNode> {
  const dir = await mkdtemp(join(tmpdir(), 'cm-netns-'))
  const configFile = await writeConfig({ secret: SECRET, ...config }, dir)
  const proc = spawnIn(ns, [CLI, 'start', '--config', configFile], env)
  try {
    await Promise.race([
      waitFor(`${String(config.nodeId)} to start`, () => /^API: /m.test(proc.output()), 30_000),
      new Promise((_resolve, reject) => proc.child.on('close', code => { reject(new Error(`${String(config.nodeId)} exited with ${String(code)}:\n${proc.output()}`)) }))
    ])
  } catch (err) {
    await proc.stop()
    throw err
  }
  const out = proc.output()
  const cli = async (args: string[]): Promise<string> => {
    const r = await runIn(ns, [CLI, ...args, '--config', configFile])
    if (r.code !== 0) throw new Error(`clawmatrix ${args.join(' ')} in ${ns} exited with ${String(r.code)}: ${r.stderr}${r.stdout}`)
    return r.stdout
  }
  const status = async (): Promise<NodeStatus> => JSON.parse(await cli(['status', '--json'])) as NodeStatus
  return {
    ...proc,
    stop: async () => {
      await proc.stop()
      await rm(dir, { recursive: true, force: true })
    },
    ns,
    peerId: /^peer ID:\s+(\S+)/m.exec(out)?.[1] ?? '',
    nodeId: /^node id:\s+(\S+)/m.exec(out)?.[1] ?? '',
    configFile,
    status,
    peer: async (nodeId) => (await status()).peers.find(p => p.nodeId === nodeId),
    chat: async (model) => (await cli(['chat', model, 'hello'])).trim().length
  }
}

/** the bulk upstream in `ns` on 127.0.0.1:`port`, answering every chat with `bytes` bytes of content */
export async function startUpstream (ns: string, port: number, bytes: number): Promise<NsProcess> {
  const proc = spawnIn(ns, [UPSTREAM, String(port), String(bytes)])
  await waitFor('the upstream to listen', () => proc.output().includes('upstream on'), 10_000)
  return proc
}
