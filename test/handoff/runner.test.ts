import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expandCommand } from '../../src/standalone/agent-command.js'
import { ProcessAgentRunner } from '../../src/standalone/process-agent-runner.js'
import { collect } from './fixtures.js'
import type { AgentRunEvent } from '../../src/host/ports.js'

/** built by `npm test` before the tests run */
const DEMO_AGENT = fileURLToPath(new URL('../../dist/src/demo/demo-agent.js', import.meta.url))

/** a Node one-liner as an agent command */
const script = (code: string, ...args: string[]): string[] => [process.execPath, '-e', code, '--', ...args]

describe('the standalone process runner', () => {
  let dir: string
  let runner: ProcessAgentRunner

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-runner-'))
    runner = new ProcessAgentRunner({
      dataDir: dir,
      agents: [
        { id: 'split', command: script('const b = Buffer.from("\\u2713\\u{1F980}"); let i = 0; const t = setInterval(() => { if (i === b.length) return clearInterval(t); process.stdout.write(b.subarray(i, ++i)) }, 5)') },
        { id: 'missing', command: [join(dir, 'no-such-program')] },
        { id: 'quiet-fail', command: script('process.exit(7)') },
        { id: 'signalled', command: script('process.kill(process.pid, "SIGKILL")') },
        { id: 'args', command: script('process.stdout.write(JSON.stringify(process.argv.slice(1)))', '{task}', 'x{agent}y{session}z', '{context}') },
        { id: 'demo', command: [process.execPath, DEMO_AGENT, '--', '{task}'] },
        { id: 'none' }
      ]
    })
  })
  afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

  const run = async (agent: string, task = 'task'): Promise<AgentRunEvent[]> =>
    await collect(runner.run({ agent, task, signal: new AbortController().signal }))

  it('replaces placeholders anywhere in an element, once, without a shell', async () => {
    expect(expandCommand(['prog', '--', '{task}', '{context}{task}'], { task: '$(rm -rf ~) {context}', context: 'c', agent: 'a', session: 's' }))
      .toEqual({ argv: ['prog', '--', '$(rm -rf ~) {context}', 'c$(rm -rf ~) {context}'], taskOnStdin: false })
    expect(expandCommand(['prog', '{agent}'], { task: 't', context: '', agent: 'a', session: '' }).taskOnStdin).toBe(true)
    const [delta] = await collect(runner.run({ agent: 'args', task: '; echo hi', sessionId: 's1', signal: new AbortController().signal }))
    expect(delta).toEqual({ type: 'delta', text: JSON.stringify(['; echo hi', 'xargsys1z', '']) })
  })

  it('decodes UTF-8 split across reads', async () => {
    const events = await run('split')
    expect(events.filter(e => e.type === 'delta').map(e => e.type === 'delta' ? e.text : '').join('')).toBe('\u2713\u{1F980}')
    expect(events.at(-1)).toEqual({ type: 'result', result: { success: true } })
  })

  it('reports a program that cannot start, a bare non-zero exit and a signal', async () => {
    expect(await run('missing')).toEqual([{ type: 'result', result: { success: false, error: expect.stringMatching(/^could not start ".*no-such-program": spawn .* ENOENT$/) } }])
    expect((await run('quiet-fail')).at(-1)).toEqual({ type: 'result', result: { success: false, error: expect.stringMatching(/" exited with code 7$/) } })
    expect((await run('signalled')).at(-1)).toEqual({ type: 'result', result: { success: false, error: expect.stringMatching(/" was killed by SIGKILL$/) } })
  })

  it('runs the demo agent, whose lines arrive one by one', async () => {
    const events = await run('demo', 'tidy up the docs')
    const deltas = events.filter(e => e.type === 'delta').map(e => e.type === 'delta' ? e.text : '')
    expect(deltas.length).toBeGreaterThanOrEqual(3)
    expect(deltas.join('')).toMatch(/working on "tidy up the docs"\n[^]*the task backwards: "scod eht pu ydit"\ndone\.\n$/)
    expect(events.at(-1)).toEqual({ type: 'result', result: { success: true } })
  })

  it('has no runner for an agent without a command', async () => {
    expect(runner.canRun('none')).toBe(false)
    expect(runner.canRun('split')).toBe(true)
    expect(await runner.send({ agent: 'none', message: 'hi' })).toEqual({ accepted: false, error: 'agent "none" has no command' })
    expect(await runner.send({ agent: 'missing', message: 'hi' })).toMatchObject({ accepted: false, error: expect.stringMatching(/ENOENT/) })
  })
})
