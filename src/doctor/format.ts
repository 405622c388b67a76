import { terminalSafe, terminalSafeJson } from '../cli/terminal-text.js'
import type { DoctorCheck, DoctorReport } from './index.js'

function formatCheck (check: DoctorCheck): string {
  const line = `${check.status.padEnd(4)}  ${terminalSafe(check.name)}: ${terminalSafe(check.message)}`
  return check.fix != null ? `${line}\n      fix: ${terminalSafe(check.fix)}` : line
}

/** One line per check (`ok` / `warn` / `fail`, with its fix on the next), or the report as JSON */
export function formatDoctorReport (report: DoctorReport, json: boolean): string {
  return json ? terminalSafeJson(report, 2) + '\n' : report.checks.map(formatCheck).join('\n') + '\n'
}
