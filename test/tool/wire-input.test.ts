import { pbStream } from '@libp2p/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ToolFrame, ToolRequest } from '../../protocols/tool.js'
import { TOOL_PROTOCOL } from '../../src/tool/index.js'
import { auditLines, ToolTestMesh } from './tool-nodes.js'
import type { ToolNode } from './tool-nodes.js'

describe('malformed requests on the wire', () => {
  const mesh = new ToolTestMesh()
  let caller: ToolNode
  let server: ToolNode

  beforeAll(async () => {
    await mesh.start()
    caller = await mesh.node('caller')
    server = await mesh.node('server', { toolProxy: { enabled: true } })
    await mesh.relay(caller, server)
  })
  afterAll(async () => { await mesh.stop() })

  /** send raw bytes as the request and read the one answer frame */
  async function answerTo (bytes: Uint8Array): Promise<ToolFrame> {
    const stream = await caller.dialProtocol(server.peerId, TOOL_PROTOCOL, { runOnLimitedConnection: true, signal: AbortSignal.timeout(10_000) })
    stream.send(bytes)
    await stream.close()
    return await pbStream(stream).read(ToolFrame, { signal: AbortSignal.timeout(10_000) })
  }

  const request = (fields: Partial<ToolRequest>): Uint8Array => {
    const body = ToolRequest.encode({ tool: 'exec', args: '{}', timeoutMs: 0, ...fields })
    return Uint8Array.from([body.length, ...body])
  }

  it('answers bad_arguments for args that are not a JSON object, or not JSON', async () => {
    expect((await answerTo(request({ args: '[1,2]' }))).error).toEqual({ code: 'BAD_ARGUMENTS', message: 'args must be a JSON object' })
    expect((await answerTo(request({ args: '{"command":' }))).error?.message).toMatch(/^args are not valid JSON: /)
    expect((await answerTo(request({ tool: '' }))).error).toEqual({ code: 'BAD_ARGUMENTS', message: 'the request names no tool' })
  })

  it('answers bad_arguments for a frame over the size limit or one that is not protobuf', async () => {
    const oversized = Uint8Array.from([0x80, 0x80, 0x80, 0x08]) // varint 16 MiB
    expect((await answerTo(oversized)).error?.message).toMatch(/^unreadable request: /)
    expect((await answerTo(Uint8Array.from([3, 0xff, 0xff, 0xff]))).error?.code).toBe('BAD_ARGUMENTS')
  })

  it('keeps serving, and audits every one of them as refused', async () => {
    expect(await caller.services.tool.call(server.peerId, { tool: 'exec', args: { command: 'echo fine' } })).toMatchObject({ content: 'fine\n' })
    const lines = await auditLines(server)
    expect(lines.map(l => `${l.decision}:${l.outcome}`)).toEqual([
      'refused:bad_arguments', 'refused:bad_arguments', 'refused:bad_arguments',
      'refused:bad_arguments', 'refused:bad_arguments',
      'allowed:ok'
    ])
  })
})
