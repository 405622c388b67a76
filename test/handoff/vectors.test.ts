import { describe, expect, it } from 'vitest'
import { RequestFrame, ResponseFrame } from '../../protocols/handoff.js'
import { publishedVectors } from '../helpers/protocol-vectors.js'

const result = { success: true, nodeId: 'office', agent: 'coder', result: '', error: '', code: '', truncated: false }

// The frames behind the hex vectors published for /clawmatrix/handoff/1.0.0
const FRAMES: Record<string, { codec: typeof RequestFrame | typeof ResponseFrame, value: RequestFrame | ResponseFrame }> = {
  run: { codec: RequestFrame, value: { run: { handoffId: 'h-1', agent: 'coder', task: 'fix the bug', context: 'in main.ts', sessionId: 's1', idleTimeoutMs: 600000 } } },
  send: { codec: RequestFrame, value: { send: { agent: 'coder', message: 'hello' } } },
  cancel: { codec: RequestFrame, value: { cancel: { reason: 'timeout' } } },
  delta: { codec: ResponseFrame, value: { delta: { text: 'step 1\n' } } },
  'result ok': { codec: ResponseFrame, value: { result } },
  'result failed': { codec: ResponseFrame, value: { result: { ...result, success: false, error: 'exit 1', code: 'agent_failed' } } },
  ack: { codec: ResponseFrame, value: { ack: { accepted: true, nodeId: 'office', agent: 'coder', deliveryId: 'd-7', error: '', code: '' } } }
}

function lengthPrefixed (bytes: Uint8Array): string {
  expect(bytes.length).toBeLessThan(128)
  return Buffer.concat([Buffer.from([bytes.length]), bytes]).toString('hex')
}

describe('handoff protocol test vectors', () => {
  it('publishes one vector per frame type', async () => {
    expect([...(await publishedVectors('/clawmatrix/handoff/1.0.0')).keys()].sort()).toEqual(Object.keys(FRAMES).sort())
  })

  it.each(Object.keys(FRAMES))('%s encodes to the published bytes and decodes back', async (name) => {
    const { codec, value } = FRAMES[name]
    const hex = (await publishedVectors('/clawmatrix/handoff/1.0.0')).get(name)
    expect(lengthPrefixed(codec.encode(value as any))).toBe(hex)
    const bytes = Buffer.from(hex as string, 'hex')
    expect(codec.decode(bytes.subarray(1))).toEqual(value)
  })
})
