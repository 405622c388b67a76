import { describe, expect, it } from 'vitest'
import { RecordBatch } from '../../protocols/capabilities.js'
import { MAX_BATCH_BYTES } from '../../src/capabilities/constants.js'
import { capBatch } from '../../src/capabilities/sync.js'

describe('state-exchange batch', () => {
  it('stays within the byte limit receivers apply, keeping the order given', () => {
    const envelopes = Array.from({ length: 80 }, (_, i) => new Uint8Array(60_000 + i).fill(i))
    const batch = capBatch(envelopes)
    const encoded = RecordBatch.encode({ envelopes: batch })
    expect(encoded.byteLength).toBeLessThanOrEqual(MAX_BATCH_BYTES)
    expect(batch.length).toBeGreaterThan(60)
    expect(batch.every((e, i) => e === envelopes[i])).toBe(true)
  })

  it('fits exactly to the byte and record limits, and skips one too large for what is left', () => {
    const small = Array.from({ length: 5 }, () => new Uint8Array(10))
    expect(capBatch(small, 1000, 3)).toHaveLength(3)
    const [big, after] = [new Uint8Array(100), new Uint8Array(10)]
    const batch = capBatch([small[0], big, after], 12 + 12 + 5)
    expect(batch).toEqual([small[0], after])
    expect(RecordBatch.encode({ envelopes: batch }).byteLength).toBe(24)
  })
})
