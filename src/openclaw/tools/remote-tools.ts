import { z } from 'zod'
import { invokeToolThroughMesh } from '../../tool/index.js'
import { defineTool, textResult } from './tool-kit.js'
import type { MeshLifecycle } from '../mesh-lifecycle.js'
import type { AgentTool, ToolResult } from '../openclaw-api.js'
import type { MeshToolResult } from '../../tool/index.js'

const node = z.string().min(1).describe('node id, peer ID, or tag query ("tags:gpu")')

const execArgs = z.object({
  node,
  command: z.string().min(1).describe('shell command'),
  workdir: z.string().min(1).optional().describe('working directory on that node'),
  timeout: z.number().positive().optional().describe('seconds (default 1800; the node may cap it)')
})
const readArgs = z.object({ node, path: z.string().min(1).describe('file path on that node') })
const writeArgs = z.object({ node, path: z.string().min(1).describe('file path on that node'), content: z.string().describe('the whole new content') })
const toolArgs = z.object({
  node,
  tool: z.string().min(1).describe('OpenClaw tool name (exec, read, write, edit, web_search, web_fetch, ...)'),
  args: z.record(z.string(), z.unknown()).default({}).describe('the tool\'s own arguments')
})

/** Output streamed while a call runs, kept up to the node's output limit */
class StreamedOutput {
  private text = ''
  private readonly decoder = new TextDecoder()
  truncated = false

  constructor (private readonly maxChars: number) {}

  append (chunk: Uint8Array): string {
    if (this.text.length < this.maxChars) this.text += this.decoder.decode(chunk, { stream: true })
    if (this.text.length > this.maxChars) {
      this.text = this.text.slice(0, this.maxChars)
      this.truncated = true
    }
    return this.text
  }

  get value (): string {
    return this.text
  }
}

function resultOf (result: MeshToolResult, output = ''): ToolResult {
  const text = [output, result.content].filter(part => part !== '').join(output.endsWith('\n') ? '' : '\n')
  return textResult(text, { ...result.details, ok: result.ok, truncated: result.truncated, nodeId: result.nodeId, peerId: result.peerId, path: result.path, via: result.via, attempts: result.attempts })
}

async function callRemote (mesh: MeshLifecycle, target: string, tool: string, args: Record<string, unknown>, signal: AbortSignal | undefined, onUpdate: ((partial: ToolResult) => void) | undefined): Promise<ToolResult> {
  const meshNode = mesh.node()
  const output = new StreamedOutput(meshNode.config.toolProxy.maxOutputBytes)
  const result = await invokeToolThroughMesh(meshNode, target, tool, args, {
    ...(signal != null ? { signal } : {}),
    onOutput: chunk => {
      const soFar = output.append(chunk)
      onUpdate?.(textResult(soFar, { status: 'running' }))
    }
  })
  return resultOf(output.truncated ? { ...result, truncated: true } : result, output.value)
}

export function remoteTools (mesh: MeshLifecycle): AgentTool[] {
  return [
    defineTool({
      name: 'cluster_exec',
      label: 'Cluster exec',
      description: 'Run a shell command on another node of the ClawMatrix mesh (its OpenClaw exec tool) and return its output and exit code. The node must accept remote tool calls.',
      schema: execArgs,
      run: async ({ node: target, ...args }, signal, onUpdate) => await callRemote(mesh, target, 'exec', args, signal, onUpdate)
    }),
    defineTool({
      name: 'cluster_read',
      label: 'Cluster read',
      description: 'Read a file on another node of the ClawMatrix mesh (its OpenClaw read tool).',
      schema: readArgs,
      run: async ({ node: target, ...args }, signal, onUpdate) => await callRemote(mesh, target, 'read', args, signal, onUpdate)
    }),
    defineTool({
      name: 'cluster_write',
      label: 'Cluster write',
      description: 'Write a file on another node of the ClawMatrix mesh (its OpenClaw write tool), replacing its content.',
      schema: writeArgs,
      run: async ({ node: target, ...args }, signal, onUpdate) => await callRemote(mesh, target, 'write', args, signal, onUpdate)
    }),
    defineTool({
      name: 'cluster_tool',
      label: 'Cluster tool',
      description: 'Call any OpenClaw tool on another node of the ClawMatrix mesh (exec, read, write, edit, web_search, web_fetch, browser, process, ...) with that tool\'s own arguments.',
      schema: toolArgs,
      run: async ({ node: target, tool, args }, signal, onUpdate) => await callRemote(mesh, target, tool, args, signal, onUpdate)
    })
  ]
}
