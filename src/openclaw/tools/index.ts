import { handoffTool, sendTool } from './handoff-tools.js'
import { peersTool } from './peers-tool.js'
import { remoteTools } from './remote-tools.js'
import type { MeshLifecycle } from '../mesh-lifecycle.js'
import type { AgentTool } from '../openclaw-api.js'

/** The seven agent tools, with the seed's names and parameters */
export function clusterTools (mesh: MeshLifecycle): AgentTool[] {
  return [peersTool(mesh), handoffTool(mesh), sendTool(mesh), ...remoteTools(mesh)]
}
