import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_TOKEN, ModelTestMesh } from './model-mesh.js'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { registerChatCommand } from '../../src/cli/commands/chat.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'

interface Run {
  stdout: string
  stderr: string
  exitCode: number
}

/** `clawmatrix --config <file> chat ...` in this process, its output captured */
async function runChat (configFile: string, args: string[]): Promise<Run> {
  const program = new Command('clawmatrix').option('-c, --config <file>').exitOverride()
  registerChatCommand(program)
  let stdout = ''
  let stderr = ''
  const write = { out: process.stdout.write, err: process.stderr.write }
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout += String(chunk); return true }) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array) => { stderr += String(chunk); return true }) as typeof process.stderr.write
  try {
    await program.parseAsync(['node', 'clawmatrix', '--config', configFile, 'chat', ...args])
  } finally {
    process.stdout.write = write.out
    process.stderr.write = write.err
  }
  const exitCode = Number(process.exitCode ?? 0)
  process.exitCode = undefined
  return { stdout, stderr, exitCode }
}

describe('clawmatrix chat', () => {
  const mesh = new ModelTestMesh()
  let upstream: FakeUpstream
  let dir: string
  let configFile: string

  beforeAll(async () => {
    upstream = await startFakeUpstream()
    await mesh.start()
    const office = await mesh.node('office', { models: [{ id: 'gpt-test', upstream: { baseUrl: upstream.baseUrl } }] })
    const home = await mesh.node('home')
    await mesh.connect(home, office)
    const port = new URL(await mesh.api(home)).port
    dir = await mkdtemp(join(tmpdir(), 'cm-chat-'))
    configFile = join(dir, 'config.json')
    await writeFile(configFile, JSON.stringify({ nodeId: 'home', proxyPort: Number(port), apiToken: API_TOKEN, dataDir: join(dir, 'data') }))
  })

  afterAll(async () => {
    await mesh.stop()
    await upstream.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('streams the answer text to stdout', async () => {
    upstream.reply = () => replies.textStream(['Hel', 'lo', ' there'])
    const arrived = upstream.nextRequest()
    const run = await runChat(configFile, ['gpt-test', 'Say hello', '--system', 'Be nice.', '--max-tokens', '20'])
    expect(run).toEqual({ stdout: 'Hello there\n', stderr: '', exitCode: 0 })
    expect((await arrived).body).toMatchObject({
      stream: true,
      max_tokens: 20,
      messages: [{ role: 'system', content: 'Be nice.' }, { role: 'user', content: 'Say hello' }]
    })
  })

  it('prints reasoning_content where content is empty', async () => {
    upstream.reply = () => replies.reasoningStream()
    const run = await runChat(configFile, ['office/gpt-test', '2+2?'])
    expect(run.stdout).toBe('Let me think. Two plus two.4\n')
  })

  it('reports a refusal as error [<code>] and exits 1', async () => {
    const run = await runChat(configFile, ['no-such-model', 'hi'])
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/^error \[model_not_found\]: model "no-such-model" is not offered/)
    expect(run.exitCode).toBe(1)
  })

  it('reports an answer that breaks off after the text that arrived', async () => {
    upstream.reply = () => replies.cutStream(['partial', ' answer'])
    const run = await runChat(configFile, ['gpt-test', 'hi'])
    expect(run.stdout).toBe('partial answer\n')
    expect(run.stderr).toMatch(/^error \[answer_interrupted\]: .*broke off/)
    expect(run.exitCode).toBe(1)
  })
})
