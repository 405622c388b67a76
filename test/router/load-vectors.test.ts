import { describe, expect, it } from 'vitest'
import { LoadReport } from '../../protocols/load.js'
import { publishedVectors } from '../helpers/protocol-vectors.js'

// The messages behind the hex vectors published for the gossipsub topic /clawmatrix/load/1.0.0
const REPORTS: Record<string, LoadReport> = {
  report: {
    seq: 1764200000000n,
    planes: [{ plane: 'model', inFlight: 3, limit: 8 }, { plane: 'handoff', inFlight: 1, limit: 4 }],
    models: [{ id: 'qwen', inFlight: 3 }],
    errorPermille: 125
  },
  idle: { seq: 1764200000250n, planes: [{ plane: 'model', inFlight: 0, limit: 8 }], models: [], errorPermille: 0 }
}

describe('load report test vectors', () => {
  it('publishes one vector per example', async () => {
    expect([...(await publishedVectors('/clawmatrix/load/1.0.0')).keys()].sort()).toEqual(Object.keys(REPORTS).sort())
  })

  it.each(Object.keys(REPORTS))('%s encodes to the published bytes and decodes back', async (name) => {
    const hex = (await publishedVectors('/clawmatrix/load/1.0.0')).get(name) as string
    expect(Buffer.from(LoadReport.encode(REPORTS[name])).toString('hex')).toBe(hex)
    expect(LoadReport.decode(Buffer.from(hex, 'hex'))).toEqual(REPORTS[name])
  })
})
