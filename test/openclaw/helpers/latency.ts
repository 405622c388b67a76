export interface Latency {
  samples: number[]
  medianMs: number
}

/** Run `call` once to warm up, then `count` times in a row; wall-clock ms per call and the median */
export async function measureLatency (call: (i: number) => Promise<void>, count = 5): Promise<Latency> {
  await call(-1)
  const samples: number[] = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    await call(i)
    samples.push(Math.round(performance.now() - started))
  }
  const sorted = [...samples].sort((a, b) => a - b)
  return { samples, medianMs: sorted[Math.floor(sorted.length / 2)] }
}

/** One non-streamed chat completion against an OpenAI-compatible endpoint; fails on a non-200 answer */
export async function completion (baseUrl: string, token: string, model: string, prompt: string): Promise<any> {
  const res = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: prompt }] }),
    signal: AbortSignal.timeout(60_000)
  })
  const body = await res.json().catch(() => undefined)
  if (res.status !== 200) throw new Error(`${baseUrl} answered ${res.status}: ${JSON.stringify(body)}`)
  return body
}
