import { describe, expect, it } from 'vitest'
import { CallError, OutputChunk, ToolFrame, ToolRequest } from '../../protocols/tool.js'
import { publishedVectors } from '../helpers/protocol-vectors.js'

const text = (s: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(s))

// The frames behind the hex vectors published for /clawmatrix/tool/1.0.0
const FRAMES: Record<string, { codec: typeof ToolRequest | typeof ToolFrame, value: ToolRequest | ToolFrame }> = {
  request: { codec: ToolRequest, value: { tool: 'exec', args: '{"command":"echo hi"}', timeoutMs: 30000 } },
  stdout: { codec: ToolFrame, value: { output: { channel: OutputChunk.Channel.STDOUT, data: text('hi\n') } } },
  stderr: { codec: ToolFrame, value: { output: { channel: OutputChunk.Channel.STDERR, data: text('oops') } } },
  content: { codec: ToolFrame, value: { content: text('hello') } },
  result: { codec: ToolFrame, value: { result: { ok: true, details: '{"exitCode":0}', truncated: false } } },
  'result truncated': { codec: ToolFrame, value: { result: { ok: false, details: '{"exitCode":1}', truncated: true } } },
  error: { codec: ToolFrame, value: { error: { code: CallError.Code.DISABLED, message: 'tool proxy disabled on office' } } },
  busy: { codec: ToolFrame, value: { error: { code: CallError.Code.BUSY, message: 'office is running 16 tool calls, its limit; try again later' } } }
}

function lengthPrefixed (bytes: Uint8Array): string {
  expect(bytes.length).toBeLessThan(128)
  return Buffer.concat([Buffer.from([bytes.length]), bytes]).toString('hex')
}

describe('tool protocol test vectors', () => {
  it('publishes one vector per frame type', async () => {
    expect([...(await publishedVectors('/clawmatrix/tool/1.0.0')).keys()].sort()).toEqual(Object.keys(FRAMES).sort())
  })

  it.each(Object.keys(FRAMES))('%s encodes to the published bytes and decodes back', async (name) => {
    const { codec, value } = FRAMES[name]
    const hex = (await publishedVectors('/clawmatrix/tool/1.0.0')).get(name) as string
    expect(lengthPrefixed(codec.encode(value as any))).toBe(hex)
    expect(codec.decode(Uint8Array.from(Buffer.from(hex, 'hex')).subarray(1))).toEqual(value)
  })
})
