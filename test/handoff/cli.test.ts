import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handoffRoutes } from '../../src/http/routes/handoff.js'
import { startApiServer } from '../../src/http/server.js'
import { loadApiTokens } from '../../src/http/tokens.js'
import { startAgentMesh } from './agent-mesh.js'
import { agentCommand } from './fixtures.js'
import type { ApiServer } from '../../src/http/server.js'

const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url))
const REGISTER = fileURLToPath(new URL('./ts-register.mjs', import.meta.url))

interface CliRun { code: number | null, stdout: Buffer, stderr: string }

describe('clawmatrix handoff / send', () => {
  let mesh: Awaited<ReturnType<typeof startAgentMesh>>
  let api: ApiServer
  let dir: string
  let configFile: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-handoff-cli-'))
    mesh = await startAgentMesh([{
      nodeId: 'office',
      agents: [
        { id: 'reader', command: agentCommand('echo') },
        { id: 'failing', command: agentCommand('fail', '--code', '4', '--stderr', 'out of coffee') },
        { id: 'idle' }
      ]
    }])
    const dataDir = join(dir, 'data')
    api = await startApiServer({ host: '127.0.0.1', port: 0, tokens: await loadApiTokens(dataDir), routes: () => handoffRoutes(mesh.caller) })
    configFile = join(dir, 'config.json')
    await writeFile(configFile, JSON.stringify({ nodeId: 'caller', dataDir, proxyPort: api.port }))
  })
  afterAll(async () => {
    await api?.close()
    await mesh?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function cli (...args: string[]): Promise<CliRun> {
    const child = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', '--import', REGISTER, ENTRY, ...args, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] })
    const stdout: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const timer = setTimeout(() => { child.kill('SIGKILL') }, 30_000)
    const code = await new Promise<number | null>(resolve => child.on('close', resolve))
    clearTimeout(timer)
    return { code, stdout: Buffer.concat(stdout), stderr }
  }

  it('copies the agent\'s output to stdout byte for byte and exits 0', async () => {
    const task = 'r\u00e9sum\u00e9 \u2713 \u{1F980}\n\ttabs and  spaces \r\nno newline at the end'
    const run = await cli('handoff', 'reader', task)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout.equals(Buffer.from(task, 'utf8'))).toBe(true)
  })

  it('prints error [<code>]: <message> and exits 1 when the agent fails', async () => {
    const run = await cli('handoff', 'failing', 'brew')
    expect(run.code).toBe(1)
    expect(run.stdout.toString()).toBe('starting\n')
    expect(run.stderr).toMatch(/^error \[agent_failed\]: "[^"]+" exited with code 4: out of coffee\n$/)
  })

  it('reports refusals the same way', async () => {
    const [unknown, idle, flag] = await Promise.all([
      cli('handoff', 'designer', 'draw'),
      cli('handoff', 'idle', 'wake up', '--timeout', '2000'),
      cli('handoff', 'reader', 'x', '--timeout', 'soon')
    ])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/^error \[unknown_target\]: no agent, tag or node matches "designer"; on offer: .*reader/)
    expect(idle.stderr).toMatch(/^error \[no_runner\]: /)
    expect(flag.code).not.toBe(0)
    expect(flag.stderr).toMatch(/must be a positive whole number of ms/)
  })

  it('send prints where the message went', async () => {
    const [run, refused] = await Promise.all([cli('send', 'reader', 'hello there'), cli('send', 'idle', 'hello')])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout.toString()).toMatch(/^delivered to agent "reader" on node "office" as \d+-\d+\n$/)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^error \[no_runner\]: /)
  })
})
