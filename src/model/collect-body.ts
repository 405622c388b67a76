import { ModelPlaneError } from './errors.js'

/** A whole (non-streamed) answer, up to `maxBytes` */
export async function collectBody (body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.byteLength
    if (size > maxBytes) throw new ModelPlaneError(502, 'answer_too_large', `the answer is over ${maxBytes} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}
