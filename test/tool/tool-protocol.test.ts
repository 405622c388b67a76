import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { serviceCapabilities } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pbStream, streamPair } from '@libp2p/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ToolFrame, ToolRequest } from '../../protocols/tool.js'
import { resolveConfig } from '../../src/config/resolve.js'
import { HttpError } from '../../src/http/respond.js'
import { ToolError, httpStatusOf, ToolStreamError } from '../../src/tool/errors.js'
import { toolInitFromConfig } from '../../src/tool/from-config.js'
import { DefaultToolService } from '../../src/tool/tool-service.js'
import type { ToolExecutor, ToolInvocation, ToolResult } from '../../src/host/ports.js'
import type { AuditEntry } from '../../src/tool/audit.js'
import type { ToolServiceComponents } from '../../src/tool/index.js'
import type { Connection, PeerId, Stream } from '@libp2p/interface'

/** A tool host that answers at once: no processes, no files */
const executor: ToolExecutor = {
  tools: () => ['echo', 'refuse', 'hang', 'secret'],
  async invoke (call: ToolInvocation): Promise<ToolResult> {
    if (call.tool === 'echo') {
      call.onOutput?.(Buffer.from('out:'), 'stdout')
      call.onOutput?.(Buffer.from('err'), 'stderr')
      return { ok: true, content: String(call.args.text), details: { by: call.caller.nodeId ?? null }, truncated: false }
    }
    if (call.tool === 'refuse') throw new ToolError('bad_arguments', 'text: is required')
    // hang: never answers, and ignores its signal
    return await new Promise(() => {})
  }
}

/**
 * The tool plane's server and caller joined by in-memory stream pairs, no libp2p node: the
 * caller's `openStream` hands the other end of a fresh pair to the server's stream handler.
 */
describe('the tool protocol over an in-memory stream pair', () => {
  let dataDir: string
  let server: ToolService
  let caller: ToolService
  let serverPeer: PeerId
  let callerPeer: PeerId
  /** the server's end of every stream, and the handler serving it */
  const served: Array<{ stream: Stream, handled: Promise<void> }> = []
  /** what the server does with the next stream instead of serving it */
  let impostor: ((stream: Stream) => Promise<void>) | undefined

  const components = (openStream?: (peer: PeerId) => Promise<Stream>): ToolServiceComponents => ({
    registrar: { handle: async () => {}, unhandle: async () => {} } as any,
    connectionManager: { openStream, getConnections: () => [] } as any,
    logger: defaultLogger()
  })

  const auditLines = async (): Promise<AuditEntry[]> => {
    await Promise.all(served.map(async s => { await s.handled }))
    await server.audit.flush()
    const text = await readFile(server.audit.file, 'utf8').catch(() => '')
    return text.split('\n').filter(l => l !== '').map(l => JSON.parse(l))
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cm-tool-protocol-'))
    ;[serverPeer, callerPeer] = await Promise.all([generateKeyPair('Ed25519'), generateKeyPair('Ed25519')]).then(keys => keys.map(peerIdFromPrivateKey))
    const config = resolveConfig({ nodeId: 'server', dataDir, toolProxy: { enabled: true, deny: ['secret'] } })
    server = new DefaultToolService(components(), { ...toolInitFromConfig(config, executor), nodeIdOf: () => 'caller' })
    const connection = { remotePeer: callerPeer } as unknown as Connection
    caller = new DefaultToolService(components(async () => {
      const [outbound, inbound] = await streamPair()
      const serve = impostor ?? (async (stream: Stream) => { await server.handleToolStream(stream, connection) })
      impostor = undefined
      served.push({ stream: inbound, handled: serve(inbound) })
      return outbound
    }), toolInitFromConfig(resolveConfig({ nodeId: 'caller', dataDir: join(dataDir, 'caller') }), executor))
  })
  afterAll(async () => {
    await server.stop()
    expect(server.isStarted()).toBe(false)
    await rm(dataDir, { recursive: true, force: true })
  })

  it('keeps the libp2p service contract', async () => {
    expect(server[Symbol.toStringTag]).toBe('clawmatrix/tool')
    expect(server[serviceCapabilities]).toEqual(['clawmatrix/tool'])
    expect(server.isStarted()).toBe(false)
    await server.start()
    expect(server.isStarted()).toBe(true)
  })

  it('answers a call with its output, content and details, and closes the stream', async () => {
    const output: string[] = []
    const result = await caller.call(serverPeer, { tool: 'echo', args: { text: 'hello' } }, { onOutput: (chunk, channel) => { output.push(`${channel}:${Buffer.from(chunk).toString()}`) } })
    expect(result).toEqual({ ok: true, content: 'hello', details: { by: 'caller' }, truncated: false })
    expect(output).toEqual(['stdout:out:', 'stderr:err'])
    // without onOutput, the output is put in front of the content
    expect(await caller.call(serverPeer, { tool: 'echo', args: { text: '!' } })).toMatchObject({ content: 'out:err!' })
    const lines = await auditLines()
    expect(lines.at(-1)).toMatchObject({ caller: { peerId: callerPeer.toString(), nodeId: 'caller' }, tool: 'echo', args: { text: '!' }, decision: 'allowed', outcome: 'ok', bytesOut: 8 })
    expect(served.at(-1)?.stream.status).toBe('closed')
  })

  it('refuses a call its policy denies, before anything runs', async () => {
    const err = await caller.call(serverPeer, { tool: 'secret', args: {} }).catch(e => e)
    expect(err).toBeInstanceOf(ToolError)
    expect(err).not.toBeInstanceOf(ToolStreamError)
    expect(err).toMatchObject({ code: 'denied', message: 'tool "secret" is in toolProxy.deny on server', retryable: false })
    expect((await auditLines()).at(-1)).toMatchObject({ tool: 'secret', decision: 'refused', outcome: 'denied' })
  })

  it('passes on a ToolError the executor throws, code and message unchanged', async () => {
    const err = await caller.call(serverPeer, { tool: 'refuse', args: {} }).catch(e => e)
    expect(err).toBeInstanceOf(ToolError)
    expect(err).toMatchObject({ name: 'ToolError', code: 'bad_arguments', message: 'text: is required' })
    expect((await auditLines()).at(-1)).toMatchObject({ tool: 'refuse', decision: 'allowed', outcome: 'bad_arguments', message: 'text: is required' })
  })

  it('answers bad_arguments to a request frame over the size limit, and keeps serving', async () => {
    const [outbound, inbound] = await streamPair()
    const handled = server.handleToolStream(inbound, { remotePeer: callerPeer } as unknown as Connection)
    outbound.send(Uint8Array.from([0x80, 0x80, 0x80, 0x08])) // a varint length of 16 MiB
    await outbound.close()
    const answer = await pbStream(outbound).read(ToolFrame, { signal: AbortSignal.timeout(2000) })
    expect(answer.error?.code).toBe('BAD_ARGUMENTS')
    expect(answer.error?.message).toMatch(/^unreadable request: /)
    await handled
    expect((await auditLines()).at(-1)).toMatchObject({ decision: 'refused', outcome: 'bad_arguments' })
    expect(await caller.call(serverPeer, { tool: 'echo', args: { text: 'still' } })).toMatchObject({ content: 'out:errstill' })
  })

  it('fails the call as a stream error when the answer frame is oversized, and resets the stream', async () => {
    impostor = async (stream) => {
      await pbStream(stream).read(ToolRequest)
      stream.send(Uint8Array.from([0x80, 0x80, 0x80, 0x08]))
    }
    const err = await caller.call(serverPeer, { tool: 'echo', args: { text: 'x' } }).catch(e => e)
    expect(err).toBeInstanceOf(ToolStreamError)
    expect(err).toMatchObject({ name: 'ToolStreamError', code: 'failed' })
    expect(err.message).toMatch(/^tool call to .* failed: /)
  })

  it('ends the call at the caller\'s deadline, and the serving node lets go of a tool that ignores it', async () => {
    const started = Date.now()
    const err = await caller.call(serverPeer, { tool: 'hang', args: {} }, { signal: AbortSignal.timeout(150) }).catch(e => e)
    expect(err.name).toBe('TimeoutError')
    expect(Date.now() - started).toBeLessThan(1000)
    const lines = await auditLines()
    expect(lines.at(-1)).toMatchObject({ tool: 'hang', decision: 'allowed', outcome: 'caller_gone' })
    expect(server.runningCalls()).toBe(0)
  }, 5000)
})

describe('the HTTP status of each tool error code', () => {
  it('is what POST /clawmatrix/tool has always answered, a 403 typed invalid_request_error', () => {
    const codes = ['bad_arguments', 'disabled', 'denied', 'not_found', 'unknown_target', 'unreachable', 'timeout', 'busy', 'failed', 'something_new']
    expect(Object.fromEntries(codes.map(code => {
      const { status, type } = new HttpError(httpStatusOf(code), code, 'refused')
      return [code, { status, type }]
    }))).toEqual({
      bad_arguments: { status: 400, type: 'invalid_request_error' },
      disabled: { status: 403, type: 'invalid_request_error' },
      denied: { status: 403, type: 'invalid_request_error' },
      not_found: { status: 404, type: 'not_found_error' },
      unknown_target: { status: 404, type: 'not_found_error' },
      unreachable: { status: 503, type: 'server_error' },
      timeout: { status: 504, type: 'server_error' },
      busy: { status: 429, type: 'rate_limit_error' },
      failed: { status: 502, type: 'server_error' },
      something_new: { status: 502, type: 'server_error' }
    })
  })
})
