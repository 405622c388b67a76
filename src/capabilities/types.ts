/** What one node offers, as it announced it (signed by that node's key) */
export interface AgentCapability {
  id: string
  description: string
  tags: string[]
}

export interface ModelCapability {
  id: string
  description?: string
  /** false when this node lists the model but cannot serve it (no backend) */
  available: boolean
  api?: string
  reasoning?: boolean
  input?: string[]
  contextWindow?: number
  maxTokens?: number
  cost?: { input: number, output: number, cacheRead: number, cacheWrite: number }
  /** the API the serving node speaks to its upstream for this model (`api` is what consumers speak) */
  upstreamApi?: string
  /** why the model cannot be served, when `available` is false */
  unavailableReason?: string
  /** set: only these peer IDs may call the model (`models[].peers`); absent: every member */
  callers?: string[]
}

export interface CapabilityRecord {
  nodeId: string
  /** base58 peer ID of the signer */
  peerId: string
  agents: AgentCapability[]
  models: ModelCapability[]
  tags: string[]
  /** whether this node accepts remote tool calls at all */
  toolProxy: boolean
  /** multiaddrs (with /p2p/) other members can dial: direct ones, or circuit addresses through a relay */
  addrs: string[]
  version: string
  /** running requests / capacity, 0..1+ */
  load: number
  /** strictly increasing per signer */
  seq: bigint
  /** ms since epoch when signed */
  issuedAt: number
}
