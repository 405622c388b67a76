import { decodeMessage } from 'protons-runtime'
import { describe, expect, it } from 'vitest'
import { FRAMES } from './vectors-data.js'
import { publishedVectors } from '../helpers/protocol-vectors.js'
import { MODEL_PROTOCOL } from '../../src/model/constants.js'
import { encodeFrame } from '../../src/model/frame-writer.js'

describe('model protocol test vectors', () => {
  it('publishes one vector per frame type', async () => {
    expect([...(await publishedVectors(MODEL_PROTOCOL)).keys()].sort()).toEqual(Object.keys(FRAMES).sort())
  })

  it.each(Object.keys(FRAMES))('%s encodes to the published bytes and decodes back', async (name) => {
    const { codec, value } = FRAMES[name]
    const encoded = encodeFrame(codec, value)
    expect(Buffer.from(encoded).toString('hex')).toBe((await publishedVectors(MODEL_PROTOCOL)).get(name))
    expect(encoded[0]).toBe(encoded.length - 1)
    expect(decodeMessage(encoded.subarray(1), codec)).toEqual(value)
  })
})
