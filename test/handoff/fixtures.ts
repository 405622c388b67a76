import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { waitFor } from '../helpers/wait.js'

const AGENTS_DIR = fileURLToPath(new URL('../fixtures/agents/', import.meta.url))

/** argv for a fixture agent in test/fixtures/agents, run by this Node */
export function agentCommand (name: string, ...args: string[]): string[] {
  return [process.execPath, `${AGENTS_DIR}${name}.mjs`, ...args]
}

export function isRunning (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err: any) {
    if (err.code === 'ESRCH') return false
    throw err
  }
}

/** the pids a fixture wrote to `file`, once it has */
export async function pidsIn (file: string): Promise<number[]> {
  return await waitFor(`pid file ${file}`, async () => {
    const text = await readFile(file, 'utf8').catch(() => '')
    const pids = text.trim().split(/\s+/).filter(p => p !== '').map(Number)
    return pids.length > 0 ? pids : null
  })
}

export async function waitUntilGone (pid: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(`process ${pid} to be gone`, () => !isRunning(pid), timeoutMs)
}

/** lines of the runs log the fixtures append to ("start <name> <pid>", "end <name> <pid>") */
export async function runsLog (file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text.split('\n').filter(line => line !== '')
}

export async function collect<T> (events: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const event of events) all.push(event)
  return all
}
