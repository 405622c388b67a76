export type CheckStatus = 'ok' | 'warn' | 'fail'

/** One line of the doctor's report */
export interface DoctorCheck {
  /** what was checked, e.g. `config`, `peer hub: pnet` */
  name: string
  status: CheckStatus
  /** what was found */
  message: string
  /** what to do about it (warn and fail) */
  fix?: string
}

export interface DoctorReport {
  ok: boolean
  checks: DoctorCheck[]
}

export interface DoctorOptions {
  /** `--config <file>` (else $CLAWMATRIX_CONFIG, else ~/.clawmatrix/config.json) */
  config?: string
}

export { runDoctor, runDoctorOnConfig } from './doctor.js'
export { formatDoctorReport } from './format.js'
