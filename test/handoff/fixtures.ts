import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { HandoffError } from '../../src/handoff/index.js'
import { DELIVERIES_DIR } from '../../src/standalone/process-agent-runner.js'
import { waitFor } from '../helpers/wait.js'
import type { ClawMatrixNode, MeshTiming } from '../../src/node/clawmatrix.js'

const AGENTS_DIR = fileURLToPath(new URL('../fixtures/agents/', import.meta.url))

/**
 * Records that outlive a loaded machine's gossip delays (an expired record closes the connection,
 * mid-run too) and those of `clawmatrix start` nodes, which announce at the default interval
 */
export const HANDOFF_TIMING: Partial<MeshTiming> = { announceIntervalMs: 1000, recordTtlMs: 30_000 }

/** argv for a fixture agent in test/fixtures/agents, run by this Node */
export function agentCommand (name: string, ...args: string[]): string[] {
  return [process.execPath, `${AGENTS_DIR}${name}.mjs`, ...args]
}

/**
 * A child that writes its pid and then says nothing until killed, started by the shell: it is
 * there within milliseconds even on a loaded machine, so a short idle timeout always finds it
 * running (a Node agent may still be starting when the timeout passes)
 */
export function silentShellAgent (pidFile: string): string[] {
  return ['/bin/sh', '-c', 'echo $$ > "$0"; exec sleep 600', pidFile]
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

/**
 * The output file a node keeps of a delivered message, once the command has ended and the file
 * is written (a node that stops does not wait for that)
 */
export async function deliveryLog (node: ClawMatrixNode, agent: string, deliveryId: string): Promise<string> {
  const file = join(node.config.dataDir, DELIVERIES_DIR, agent, `${deliveryId}.log`)
  return await waitFor(`the output file of ${deliveryId}`, async () => await readFile(file, 'utf8').catch(() => null))
}

/** The HandoffError a handoff ends with (fails the test when it ends otherwise) */
export async function failure (events: AsyncIterable<unknown>): Promise<HandoffError> {
  try {
    await collect(events)
  } catch (err) {
    expect(err).toBeInstanceOf(HandoffError)
    return err as HandoffError
  }
  throw new Error('the handoff did not fail')
}
