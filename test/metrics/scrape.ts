import parsePrometheusTextFormat from 'parse-prometheus-text-format'

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

interface ParsedFamily {
  name: string
  type: string
  metrics: Array<{ labels?: Record<string, string>, value?: string, buckets?: Record<string, string> }>
}

/** Every family of a Prometheus text exposition, parsed by `parse-prometheus-text-format` (which throws on a malformed line) */
export function families (text: string): ParsedFamily[] {
  return parsePrometheusTextFormat(text) as ParsedFamily[]
}

/** The counter, gauge and untyped samples of an exposition */
export function samples (text: string): Sample[] {
  return families(text).filter(f => f.type !== 'HISTOGRAM' && f.type !== 'SUMMARY').flatMap(family =>
    family.metrics.map(m => ({ name: family.name, labels: m.labels ?? {}, value: Number(m.value) })))
}

/** The sum of the samples named `name` whose labels include `labels` */
export function total (all: Sample[], name: string, labels: Record<string, string> = {}): number {
  return all
    .filter(s => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0)
}

/**
 * How many observations the histogram `name` holds for the label set `labels` (its `+Inf`
 * bucket). The parser folds every label set of a histogram into one, so it is given that
 * histogram's lines of the one label set asked for.
 */
export function histogramCount (text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  const lines = text.split('\n').filter(line => line.startsWith(`# HELP ${name} `) || line.startsWith(`# TYPE ${name} `) ||
    (line.startsWith(`${name}_bucket{`) && wanted.every(w => line.includes(w))))
  const family = families(`${lines.join('\n')}\n`).find(f => f.name === name)
  if (family?.type !== 'HISTOGRAM') return 0
  return Number(family.metrics[0]?.buckets?.['+Inf'] ?? 0)
}

/** GET /metrics of a node's API, with `token` when given */
export async function scrape (port: number, token?: string): Promise<Response> {
  return await fetch(`http://127.0.0.1:${port}/metrics`, token != null ? { headers: { authorization: `Bearer ${token}` } } : {})
}
