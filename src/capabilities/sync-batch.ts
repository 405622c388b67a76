import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS } from './constants.js'

/** bytes of an unsigned varint holding `n` */
function varintBytes (n: number): number {
  let bytes = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    bytes++
  }
  return bytes
}

/** bytes an envelope takes inside a RecordBatch: field tag, length varint, the bytes */
function fieldBytes (envelope: Uint8Array): number {
  return 1 + varintBytes(envelope.byteLength) + envelope.byteLength
}

/**
 * The envelopes of one state-exchange batch, in the order given (most useful first), cut so the
 * encoded batch stays within what every receiver accepts: MAX_BATCH_BYTES and MAX_BATCH_RECORDS.
 * An envelope that does not fit is skipped and smaller ones after it still go.
 */
export function capBatch (envelopes: Iterable<Uint8Array>, maxBytes = MAX_BATCH_BYTES, maxRecords = MAX_BATCH_RECORDS): Uint8Array[] {
  const out: Uint8Array[] = []
  const seen = new Set<Uint8Array>()
  let bytes = 0
  for (const envelope of envelopes) {
    if (out.length >= maxRecords) break
    if (seen.has(envelope)) continue
    const size = fieldBytes(envelope)
    if (bytes + size > maxBytes) continue
    seen.add(envelope)
    out.push(envelope)
    bytes += size
  }
  return out
}
