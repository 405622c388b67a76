import { DEFAULT_ROTATION_LEAD_MS, MAX_ROTATION_LEAD_MS } from './constants.js'

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * The switch time `--at` names: an ISO 8601 time (`2026-12-07T18:00:00Z`) or a delay from `now`
 * (`30s`, `5m`, `2h`, `1d`); `DEFAULT_ROTATION_LEAD_MS` from now when absent. Throws naming the
 * problem for anything else, a time in the past, or one more than 7 days ahead.
 */
export function parseSwitchTime (at: string | undefined, now = Date.now()): number {
  let switchAt: number
  if (at == null) {
    switchAt = now + DEFAULT_ROTATION_LEAD_MS
  } else {
    const relative = /^(\d{1,7})([smhd])$/.exec(at.trim())
    switchAt = relative != null ? now + Number(relative[1]) * UNIT_MS[relative[2]] : Date.parse(at)
    if (Number.isNaN(switchAt)) throw new Error(`"${at}" is neither an ISO time (2026-12-07T18:00:00Z) nor a delay like 30s, 5m, 2h or 1d`)
  }
  checkSwitchTime(switchAt, now)
  return switchAt
}

/** throws unless `switchAt` is from `now` to 7 days ahead */
export function checkSwitchTime (switchAt: number, now = Date.now()): void {
  if (!Number.isSafeInteger(switchAt)) throw new Error('the switch time must be whole ms since the epoch')
  if (switchAt < now) throw new Error(`the switch time ${new Date(switchAt).toISOString()} is in the past`)
  if (switchAt > now + MAX_ROTATION_LEAD_MS) throw new Error(`the switch time ${new Date(switchAt).toISOString()} is more than 7 days ahead`)
}
