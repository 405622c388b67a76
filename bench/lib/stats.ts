/** Summary of a set of timing or size samples */
export interface Summary {
  count: number
  min: number
  median: number
  p99: number
  max: number
}

function sorted (samples: number[]): number[] {
  if (samples.length === 0) throw new Error('no samples to summarize')
  return [...samples].sort((a, b) => a - b)
}

/** Nearest-rank percentile (p in 0..100) */
export function percentile (samples: number[], p: number): number {
  const values = sorted(samples)
  const rank = Math.ceil((p / 100) * values.length)
  return values[Math.min(values.length, Math.max(1, rank)) - 1]
}

/** Middle value; the mean of the two middle values for an even count */
export function median (samples: number[]): number {
  const values = sorted(samples)
  const mid = values.length >> 1
  return values.length % 2 === 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
}

export function summarize (samples: number[]): Summary {
  const values = sorted(samples)
  return {
    count: values.length,
    min: values[0],
    median: median(values),
    p99: percentile(values, 99),
    max: values[values.length - 1]
  }
}
