import Table from 'cli-table3'

/** A bound the figure must meet; several may be combined */
export interface Target {
  /** met at or below this value */
  max?: number
  /** met at or above this value */
  min?: number
  /** met when the value exceeds the baseline by at most this much */
  maxAboveBaseline?: number
  /** met at or above this fraction of the baseline */
  minOfBaseline?: number
}

export interface Figure {
  label: string
  value: number
  unit: string
  /** how many samples the value summarizes */
  samples?: number
  target?: Target
  /** the same quantity measured without ClawMatrix in the same run */
  baseline?: { label: string, value: number }
  note?: string
}

export type Verdict = 'PASS' | 'MISS' | ''

const missed: string[] = []

export function formatNumber (value: number): string {
  const abs = Math.abs(value)
  return value.toFixed(abs < 10 ? 2 : abs < 100 ? 1 : 0)
}

export function formatValue (value: number, unit: string): string {
  return `${formatNumber(value)} ${unit}`
}

export function verdict (figure: Figure): Verdict {
  const { target, value, baseline } = figure
  if (target == null) return ''
  if (target.max != null && value > target.max) return 'MISS'
  if (target.min != null && value < target.min) return 'MISS'
  if (target.maxAboveBaseline != null || target.minOfBaseline != null) {
    if (baseline == null) throw new Error(`${figure.label}: a target relative to a baseline needs the baseline`)
    if (target.maxAboveBaseline != null && value - baseline.value > target.maxAboveBaseline) return 'MISS'
    if (target.minOfBaseline != null && value < target.minOfBaseline * baseline.value) return 'MISS'
  }
  return 'PASS'
}

function describeTarget (figure: Figure): string {
  const { target, unit } = figure
  if (target == null) return '-'
  const parts: string[] = []
  if (target.max != null) parts.push(`<= ${formatValue(target.max, unit)}`)
  if (target.min != null) parts.push(`>= ${formatValue(target.min, unit)}`)
  if (target.maxAboveBaseline != null) parts.push(`<= ${figure.baseline?.label ?? 'baseline'} + ${formatValue(target.maxAboveBaseline, unit)}`)
  if (target.minOfBaseline != null) parts.push(`>= ${target.minOfBaseline}x ${figure.baseline?.label ?? 'baseline'}`)
  return parts.join(', ')
}

function describeBaseline (figure: Figure): string {
  const { baseline, value, unit } = figure
  if (baseline == null) return '-'
  const delta = value - baseline.value
  const ratio = baseline.value !== 0 ? `${(value / baseline.value).toFixed(2)}x` : 'n/a'
  return `${delta >= 0 ? '+' : ''}${formatValue(delta, unit)}, ${ratio} ${baseline.label} (${formatValue(baseline.value, unit)})`
}

/** Print one section's figures as a table, each with its target and verdict */
export function printFigures (title: string, figures: Figure[]): void {
  const table = new Table({
    head: ['figure', 'value', 'n', 'target', 'result', 'vs baseline'],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [44, null, null, null, null, 46]
  })
  for (const figure of figures) {
    const result = verdict(figure)
    if (result === 'MISS') missed.push(`${title}: ${figure.label}`)
    table.push([
      figure.note != null ? `${figure.label}\n(${figure.note})` : figure.label,
      formatValue(figure.value, figure.unit),
      figure.samples ?? '-',
      describeTarget(figure),
      result === '' ? '-' : result,
      describeBaseline(figure)
    ])
  }
  console.log(`\n${title}\n${table.toString()}`)
}

/** every figure printed so far that missed its target, as `<title>: <label>` */
export function missedTargets (): string[] {
  return [...missed]
}
