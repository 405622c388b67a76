import { readFileSync } from 'node:fs'

/** Alive and not a zombie (a killed process stays a zombie until something reaps it) */
export function isRunning (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err: any) {
    return err.code !== 'ESRCH'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}
