import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'

const SCRIPT = fileURLToPath(new URL('./serving-node.ts', import.meta.url))
const REGISTER = fileURLToPath(new URL('./ts-register.mjs', import.meta.url))
const START_TIMEOUT_MS = 30_000

export interface ServingProcess {
  nodeId: string
  peerId: string
  /** its circuit address through the hub */
  address: string
  child: ChildProcess
  /** SIGKILL: the node dies without a word to anyone */
  kill(): Promise<void>
}

/** A serving node (test/handoff/serving-node.ts) in its own process, joined to the hub */
export async function spawnServingNode (hubAddr: string, nodeId: string, agents: Array<{ id: string, command?: string[] }>): Promise<ServingProcess> {
  const child = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', '--import', REGISTER, SCRIPT, hubAddr, nodeId, JSON.stringify(agents)], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000) })
  const exited = once(child, 'exit')
  const lines = createInterface({ input: child.stdout! })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, START_TIMEOUT_MS)
  try {
    const first = await Promise.race([
      once(lines, 'line').then(([line]) => line as string),
      exited.then(() => { throw new Error(`serving node ${nodeId} exited before it was ready: ${stderr}`) })
    ])
    const { peerId, address } = JSON.parse(first)
    return {
      nodeId,
      peerId,
      address,
      child,
      kill: async () => {
        if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL')
        await exited
      }
    }
  } finally {
    clearTimeout(timer)
  }
}
