import { streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { CertificateBatch } from '../../protocols/membership.js'
import { MAX_BATCH_BYTES, MAX_BATCH_CERTIFICATES, MAX_BATCH_REVOCATIONS, MAX_BATCH_WANTED } from '../../src/membership/constants.js'
import { answerCertificates, requestCertificates } from '../../src/membership/exchange.js'
import { waitFor } from '../helpers/wait.js'

const bytes = (n: number, size = 100): Uint8Array<ArrayBuffer> => new Uint8Array(size).fill(n)

/** `n` as an unsigned varint, the length prefix of a batch */
function varint (n: number): Uint8Array {
  const out: number[] = []
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n & 0x7f) | 0x80)
  out.push(n)
  return Uint8Array.from(out)
}

/** resolves with the error `promise` rejects with (fails the test when it resolves) */
async function rejection (promise: Promise<unknown>): Promise<any> {
  return await promise.then(() => { throw new Error('resolved') }, (err: unknown) => err)
}

describe('certificate exchange over an in-memory stream pair', () => {
  it('the answering side reads the request first and answers what was wanted, then both close', async () => {
    const [opener, answerer] = await streamPair()
    let asked: Uint8Array[] = []
    const [answer, request] = await Promise.all([
      requestCertificates(opener, { certificates: [bytes(1)], wanted: [bytes(9, 38)] }, AbortSignal.timeout(1000)),
      answerCertificates(answerer, theirs => {
        asked = theirs.wanted
        return [bytes(2), bytes(3, 2048)]
      }, AbortSignal.timeout(1000))
    ])
    expect(asked.map(b => Buffer.from(b))).toEqual([Buffer.from(bytes(9, 38))])
    expect(request.certificates.map(b => Buffer.from(b))).toEqual([Buffer.from(bytes(1))])
    expect(answer.certificates.map(b => b.length)).toEqual([100, 2048])
    await waitFor('both sides closed', () => opener.status === 'closed' && answerer.status === 'closed', 3000)
  })

  it('carries the revocations of both sides', async () => {
    const [opener, answerer] = await streamPair()
    const [answer, request] = await Promise.all([
      requestCertificates(opener, { certificates: [], wanted: [], revocations: [bytes(4, 300)] }, AbortSignal.timeout(1000)),
      answerCertificates(answerer, () => [], AbortSignal.timeout(1000), [bytes(5, 200), bytes(6, 1024)])
    ])
    expect(request.revocations.map(b => Buffer.from(b))).toEqual([Buffer.from(bytes(4, 300))])
    expect(answer.revocations.map(b => b.length)).toEqual([200, 1024])
  })

  it('resets the stream on a batch over the byte limit, announced by its length prefix', async () => {
    const [opener, answerer] = await streamPair()
    const answered = rejection(answerCertificates(answerer, () => [], AbortSignal.timeout(1000)))
    opener.send(varint(MAX_BATCH_BYTES + 1))
    expect(String((await answered).message)).toMatch(/length|too long|max/i)
    expect(answerer.status).not.toBe('open')
  })

  it('resets the stream on more certificates or wanted subjects than a batch holds', async () => {
    for (const batch of [
      { certificates: Array.from({ length: MAX_BATCH_CERTIFICATES + 1 }, (_, i) => bytes(i, 10)), wanted: [] },
      { certificates: [], wanted: Array.from({ length: MAX_BATCH_WANTED + 1 }, (_, i) => bytes(i, 38)) },
      { certificates: [], wanted: [], revocations: Array.from({ length: MAX_BATCH_REVOCATIONS + 1 }, (_, i) => bytes(i, 10)) }
    ]) {
      const [opener, answerer] = await streamPair()
      const answered = rejection(answerCertificates(answerer, () => [], AbortSignal.timeout(1000)))
      const encoded = CertificateBatch.encode(batch)
      opener.send(varint(encoded.length))
      opener.send(encoded)
      expect(String((await answered).message)).toMatch(/too many elements/)
      expect(answerer.status).not.toBe('open')
    }
  })

  it('ends the stream when the opener never sends its batch', async () => {
    const [, answerer] = await streamPair()
    const err = await rejection(answerCertificates(answerer, () => [], AbortSignal.timeout(200)))
    expect(err.name).toMatch(/Abort|Timeout/)
    expect(answerer.status).not.toBe('open')
  })
})
