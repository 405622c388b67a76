import { z } from 'zod'
import { handoffThroughMesh, sendThroughMesh } from '../../handoff/index.js'
import { defineTool, textResult } from './tool-kit.js'
import type { MeshLifecycle } from '../mesh-lifecycle.js'
import type { AgentTool } from '../openclaw-api.js'

/** How much of a running handoff's output each progress update repeats */
const PROGRESS_TAIL_CHARS = 64 * 1024

const target = z.string().min(1).describe('agent id ("coder"), tag query ("tags:coding"), or a node id when neither matches')

const handoffArgs = z.object({
  target,
  task: z.string().min(1).describe('the task, complete and self-contained'),
  context: z.string().optional().describe('extra context the remote agent needs')
})

const sendArgs = z.object({
  target,
  message: z.string().min(1).describe('the message')
})

export function handoffTool (mesh: MeshLifecycle): AgentTool {
  return defineTool({
    name: 'cluster_handoff',
    label: 'Cluster handoff',
    description: 'Delegate a task to an agent on another node of the ClawMatrix mesh and wait for its result. If that node fails or goes silent before sending any output, the task is started on another node that offers the same agent or tag; a task never runs twice at once, and one that had sent output ends with node_lost.',
    schema: handoffArgs,
    run: async (args, signal, onUpdate) => {
      const node = mesh.node()
      let progress = ''
      const events = handoffThroughMesh(node, args.target, args.task, { ...(args.context != null ? { context: args.context } : {}), ...(signal != null ? { signal } : {}) })
      for await (const event of events) {
        if (event.type === 'delta') {
          progress = (progress + event.text).slice(-PROGRESS_TAIL_CHARS)
          onUpdate?.(textResult(progress, { status: 'running' }))
        } else if (event.type === 'retry') {
          progress = ''
          onUpdate?.(textResult(`${event.nodeId} failed (${event.reason}); trying another node`, { status: 'running' }))
        } else if (event.type === 'result') {
          const { result } = event
          if (!result.success) throw Object.assign(new Error(`agent "${result.agent}" on ${result.nodeId} failed: ${result.error ?? 'no reason given'}`), { code: result.code ?? 'agent_failed' })
          return textResult(result.result, {
            nodeId: result.nodeId,
            peerId: result.peerId,
            path: result.path,
            via: result.via,
            agent: result.agent,
            attempts: result.attempts,
            truncated: result.truncated
          })
        }
      }
      throw new Error(`the handoff to "${args.target}" ended without a result`)
    }
  })
}

export function sendTool (mesh: MeshLifecycle): AgentTool {
  return defineTool({
    name: 'cluster_send',
    label: 'Cluster send',
    description: 'Send a one-way message to an agent on another node of the ClawMatrix mesh (it starts a turn in that agent\'s session); returns once the node has accepted it, without waiting for a reply.',
    schema: sendArgs,
    run: async (args, signal) => {
      const receipt = await sendThroughMesh(mesh.node(), args.target, args.message, signal != null ? { signal } : {})
      return textResult(`delivered to agent "${receipt.agent}" on ${receipt.nodeId}`, receipt)
    }
  })
}
