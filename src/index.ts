/**
 * ClawMatrix as a library: `createClawMatrix(config)` for a whole node, or the key derivation and
 * service factories to add ClawMatrix to your own `createLibp2p({ connectionProtector, services })`.
 */
export { createClawMatrix, ClawMatrixNode, DEFAULT_TIMING } from './node/clawmatrix.js'
export type { ClawMatrixOptions, MeshTiming, ClawMatrixServices } from './node/clawmatrix.js'
export type { NodeStatus, PeerStatus } from './node/status.js'

export { pskFromSecret, deriveClusterKey, PSK_KDF } from './mesh/psk.js'
export { meshLibp2pOptions, meshBaseServices, listenAddresses, RELAY_LIMITS, PNET_TIMEOUT_MS } from './mesh/libp2p-options.js'
export type { MeshTransportInit } from './mesh/libp2p-options.js'
export { membersGater } from './mesh/members-gater.js'
export { meshGater, combineGaters } from './mesh/mesh-gater.js'
export { PendingInboundLimit } from './mesh/pending-inbound-limit.js'
export { peerConnectionLimit, PeerConnectionLimit } from './mesh/peer-connection-limit.js'
export { meshRelayServer } from './mesh/relay-server.js'
export { joinRelayedStreams } from './mesh/relay-join.js'
export { meshPreSharedKey, decodePskFile } from './mesh/patches/psk-protector.js'
export * from './mesh/constants.js'
export type { MeshPreSharedKeyInit } from './mesh/patches/psk-protector.js'
export { meshNoise } from './mesh/patches/mesh-noise.js'
export { meshYamux } from './mesh/patches/mesh-yamux.js'
export { loadOrCreateIdentity } from './mesh/identity.js'

export { capabilities, CAPABILITIES_TOPIC, SYNC_PROTOCOL } from './capabilities/index.js'
export { CapabilitiesService } from './capabilities/capabilities-service.js'
export type { CapabilityRecord, AgentCapability, ModelCapability, CapabilitiesInit, LocalCapabilities } from './capabilities/index.js'

export { modelService, ModelService, MODEL_PROTOCOL, chatThroughMesh, chat, listMeshModels, modelInitFromConfig } from './model/index.js'
export type { ChatCompletion, ChatCompletionChunk, ChatOptions, ModelList, MeshModelResponse, ModelUsage, CallerUsage } from './model/index.js'
export { httpModelBackend } from './standalone/http-model-backend.js'

export { handoffService, handoffThroughMesh, sendThroughMesh, HandoffError, HANDOFF_PROTOCOL } from './handoff/index.js'
export type { HandoffService, HandoffEvent, HandoffOptions, HandoffResult, SendResult } from './handoff/index.js'
export { ProcessAgentRunner } from './standalone/process-agent-runner.js'

export { toolService, ToolService, ToolError, ToolStreamError, invokeToolThroughMesh, isOpenToAllMembers, toolProxyWarnings, TOOL_PROTOCOL } from './tool/index.js'
export type { MeshToolOptions, MeshToolResult, AuditEntry } from './tool/index.js'
export { standaloneToolExecutor } from './standalone/tools/index.js'

export { Router, NoRouteError } from './router/router.js'
export type { RouteCandidate } from './router/router.js'

export { resolveConfig } from './config/resolve.js'
export type { ClawMatrixConfig } from './config/resolve.js'
export { configSchema } from './config/schema.js'
export type { ConfigInput } from './config/schema.js'
export { ConfigError } from './config/errors.js'

export type { HostPorts, ModelBackend, ModelResponse, AgentRunner, AgentRunEvent, AgentRunResult, ToolExecutor, ToolInvocation, ToolResult } from './host/ports.js'
export { VERSION } from './version.js'
