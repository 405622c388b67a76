import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait.js'
import { isRunning } from './processes.js'
import { auditLines, rejection, ToolTestMesh } from './tool-nodes.js'
import type { ToolNode } from './tool-nodes.js'

/** A command whose background child outlives the shell unless its process group is killed */
function sleeperWritingPid (pidFile: string): string {
  return `sleep 300 & echo $! > ${pidFile}; wait`
}

async function pidFrom (file: string): Promise<number> {
  const text = await waitFor(`${file} to be written`, async () => await readFile(file, 'utf8').then(t => t.endsWith('\n') ? t : null, () => null))
  return Number(text.trim())
}

describe('exec on another node, called through a relay', () => {
  const mesh = new ToolTestMesh()
  let caller: ToolNode
  let server: ToolNode
  let capped: ToolNode
  let work: string

  beforeAll(async () => {
    await mesh.start()
    work = await mesh.tempDir('cm-exec-')
    caller = await mesh.node('caller')
    ;[server, capped] = await Promise.all([
      mesh.node('runner', { toolProxy: { enabled: true, allow: ['exec'], maxOutputBytes: 1000 } }),
      mesh.node('capped', { toolProxy: { enabled: true, allow: ['exec'], maxExecTimeout: 1 } })
    ])
    await mesh.relay(caller, server)
    await mesh.relay(caller, capped)
  })
  afterAll(async () => { await mesh.stop() })

  it('streams stdout and stderr as produced and returns the exit code and stderr', async () => {
    const received: Array<[string, string]> = []
    const result = await caller.services.tool.call(server.peerId, {
      tool: 'exec',
      args: { command: 'printf out; printf err >&2; exit 3', workdir: work }
    }, { onOutput: (chunk, channel) => { received.push([channel, Buffer.from(chunk).toString()]) } })
    expect(received.filter(([c]) => c === 'stdout').map(([, d]) => d).join('')).toBe('out')
    expect(received.filter(([c]) => c === 'stderr').map(([, d]) => d).join('')).toBe('err')
    expect(result).toMatchObject({ ok: false, content: '', truncated: false, details: { exitCode: 3, signal: null, stderr: 'err', workdir: work } })
  })

  it('puts the output in the content when the caller does not stream it', async () => {
    const result = await caller.services.tool.call(server.peerId, { tool: 'exec', args: { command: 'pwd', workdir: work } })
    expect(result).toMatchObject({ ok: true, content: `${work}\n`, details: { exitCode: 0 } })
  })

  it('cuts output at maxOutputBytes and marks it, while the command runs to its end', async () => {
    let streamed = 0
    const result = await caller.services.tool.call(server.peerId, {
      tool: 'exec',
      args: { command: 'head -c 5000 /dev/zero | tr "\\0" x; echo done >&2' }
    }, { onOutput: (chunk) => { streamed += chunk.byteLength } })
    expect(streamed).toBe(1000)
    expect(result).toMatchObject({ ok: true, truncated: true, details: { exitCode: 0, stderr: 'done\n' } })
  })

  it('kills the whole process group when the command times out', async () => {
    const pidFile = join(work, 'timeout.pid')
    const err = await rejection(caller.services.tool.call(server.peerId, { tool: 'exec', args: { command: sleeperWritingPid(pidFile), timeout: 0.5 } }))
    expect(err.code).toBe('timeout')
    expect(err.message).toBe('command timed out after 0.5 s and was killed')
    const pid = await pidFrom(pidFile)
    await waitFor('the timed-out command to be gone', () => !isRunning(pid))
  })

  it('caps the caller\'s timeout with toolProxy.maxExecTimeout', async () => {
    const err = await rejection(caller.services.tool.call(capped.peerId, { tool: 'exec', args: { command: 'sleep 300', timeout: 600 } }))
    expect(err.code).toBe('timeout')
    expect(err.message).toBe('command timed out after 1 s and was killed')
  })

  it('kills the process group when the caller goes away', async () => {
    const pidFile = join(work, 'gone.pid')
    const controller = new AbortController()
    const call = caller.services.tool.call(server.peerId, { tool: 'exec', args: { command: sleeperWritingPid(pidFile) } }, { signal: controller.signal })
    const pid = await pidFrom(pidFile)
    expect(isRunning(pid)).toBe(true)
    controller.abort(new Error('caller cancelled'))
    expect((await rejection(call)).message).toBe('caller cancelled')
    await waitFor('the abandoned command to be gone', () => !isRunning(pid))
  })

  it('answers bad_arguments naming the problem', async () => {
    const empty = await rejection(caller.services.tool.call(server.peerId, { tool: 'exec', args: { command: '' } }))
    expect(empty).toMatchObject({ code: 'bad_arguments', message: 'bad arguments for exec: command: must not be empty' })
    const typed = await rejection(caller.services.tool.call(server.peerId, { tool: 'exec', args: { command: 'true', timeout: 'soon' } }))
    expect(typed).toMatchObject({ code: 'bad_arguments', message: 'bad arguments for exec: timeout: must be a number of seconds' })
    const workdir = await rejection(caller.services.tool.call(server.peerId, { tool: 'exec', args: { command: 'true', workdir: join(work, 'nowhere') } }))
    expect(workdir).toMatchObject({ code: 'bad_arguments', message: `bad arguments for exec: workdir: ${join(work, 'nowhere')} does not exist` })
  })

  it('leaves an audit line for every call', async () => {
    await waitFor('the abandoned call to be audited', async () => (await auditLines(server)).length === 8)
    const lines = await auditLines(server)
    expect(lines.map(l => l.outcome)).toEqual(['not_ok', 'ok', 'ok', 'timeout', 'caller_gone', 'bad_arguments', 'bad_arguments', 'bad_arguments'])
    expect(lines.find(l => l.truncated)).toMatchObject({ bytesOut: 1000, decision: 'allowed' })
    expect((await auditLines(capped)).map(l => l.outcome)).toEqual(['timeout'])
  })
})
