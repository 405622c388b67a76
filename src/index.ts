/**
 * ClawMatrix as a library: `createClawMatrix(config)` for a whole node, or the mesh stack and the
 * service factories to add ClawMatrix to your own `createLibp2p({ connectionProtector, services })`.
 * Factories, interfaces, errors and constants only: the service classes and the patched
 * dependency internals stay inside (see the README's library section for an example of each).
 */

// a whole node
export { createClawMatrix, DEFAULT_TIMING } from './node/clawmatrix.js'
export type { ClawMatrixNode, ClawMatrixOptions, MeshTiming, ClawMatrixServices } from './node/clawmatrix.js'
export type { NodeStatus, PeerStatus } from './node/status.js'

// the mesh stack
export { pskFromSecret, deriveClusterKey, PSK_KDF } from './mesh/psk.js'
export { meshLibp2pOptions, meshBaseServices, listenAddresses, relayServerInit, RELAY_LIMITS, PNET_TIMEOUT_MS } from './mesh/libp2p-options.js'
export { meshScoreParams, meshScoreThresholds } from './mesh/gossip-scoring.js'
export type { MeshTransportInit } from './mesh/libp2p-options.js'
export { meshPreSharedKey, decodePskFile } from './mesh/patches/psk-protector.js'
export { ClusterKey, keyFingerprint } from './mesh/cluster-key.js'
export type { MeshPreSharedKeyInit } from './mesh/patches/psk-protector.js'
export { meshNoise } from './mesh/patches/mesh-noise.js'
export { meshYamux } from './mesh/patches/mesh-yamux.js'
export { meshGossipsub } from './mesh/patches/gossipsub-outbound-streams.js'
export { meshRelayServer } from './mesh/relay-server.js'
export { meshRelayTransport } from './mesh/patches/relay-refusals.js'
export type { RelayRetries, RelaySlotWatch, MeshRelayTransportInit } from './mesh/patches/relay-refusals.js'
export { silentPeerWatch } from './mesh/silent-peer-watch.js'
export type { SilentPeerWatchInit } from './mesh/silent-peer-watch.js'
export { membersGater, meshGater, combineGaters } from './mesh/mesh-gater.js'
export { peerConnectionLimit } from './mesh/peer-connection-limit.js'
export { loadOrCreateIdentity } from './mesh/identity.js'
export * from './mesh/constants.js'

// capabilities: who offers what
export { capabilities, CAPABILITIES_TOPIC, SYNC_DIGEST_PROTOCOL, SYNC_PROTOCOL, InvalidRecordError, SyncStreamError } from './capabilities/index.js'
export type { CapabilitiesService, CapabilitiesEvents, CapabilitiesInit, CapabilityRecord, AgentCapability, ModelCapability, LocalCapabilities } from './capabilities/index.js'
// live load: how busy each node is, for routing
export { loadService } from './capabilities/load-service.js'
export type { LoadService, LoadServiceInit } from './capabilities/load-service.js'
export { LOAD_TOPIC } from './capabilities/load-constants.js'
export type { LiveLoad, Plane, PlaneLoad } from './capabilities/load-report.js'

// membership: certificates signed by the mesh's admins, and admission by them
export { membershipService, MEMBERSHIP_PROTOCOL, CERTIFICATE_DOMAIN, openCertificate, sealCertificate, InvalidCertificateError, NotAdminError } from './membership/index.js'
export type { MembershipService, MembershipInit, MembershipEvents, MembershipMode, MembershipStanding, MembershipSummary, Certificate, CertificateView, CertificateRequest } from './membership/index.js'
export { SecretRotations, openRotation, sealRotation, InvalidRotationError, ROTATION_DOMAIN, ROTATIONS_FILE } from './membership/index.js'
export type { Rotation, SignedRotation, SecretRotationView, RotationSummary } from './membership/index.js'
// invites: issued by an admin, redeemed at it for a certificate
export { inviteService } from './membership/invite-service.js'
export { encodeInvite, parseInvite } from './membership/invite.js'
export { redeemInvite } from './membership/redeem-client.js'
export { REDEEM_PROTOCOL, INVITE_PREFIX } from './membership/invite-constants.js'
export { RedeemError, InviteFormatError, CannotInviteError } from './membership/invite-errors.js'
export type { RedeemErrorCode } from './membership/invite-errors.js'
export type { Invite } from './membership/invite.js'
export type { InviteService, InviteServiceInit, IssueInviteRequest, IssuedInvite } from './membership/invite-service.js'

// the model plane
export {
  modelService, modelInitFromConfig, chatThroughMesh, chat, listMeshModels, MODEL_PROTOCOL,
  ModelPlaneError, ModelRemoteError, ModelTransportError, StreamRefusedError, ModelNotFoundError, ModelNotAllowedError,
  NoReachableNodeError, InvalidChatRequestError, RequestTooLargeError, AnswerInterruptedError, ModelTimeoutError, UpstreamHttpError
} from './model/index.js'
export type { ModelService, ModelServiceInit, ChatCompletion, ChatCompletionChunk, ChatOptions, ModelList, MeshModelResponse, RoutedModelResponse, ModelUsage, CallerUsage } from './model/index.js'
export { httpModelBackend } from './standalone/http-model-backend.js'

// the agent plane
export {
  handoffService, handoffInitFromConfig, handoffThroughMesh, sendThroughMesh, HANDOFF_PROTOCOL,
  HandoffError, HandoffTimeoutError, HandoffTransportError, HandoffDialError, HandoffProtocolError
} from './handoff/index.js'
export type { HandoffService, HandoffServiceInit, HandoffErrorCode, HandoffEvent, HandoffOptions, HandoffResult, SendResult } from './handoff/index.js'
export { ProcessAgentRunner } from './standalone/process-agent-runner.js'

// the tool plane
export { toolService, toolInitFromConfig, invokeToolThroughMesh, isOpenToAllMembers, toolProxyWarnings, TOOL_PROTOCOL, ToolError, ToolStreamError } from './tool/index.js'
export type { ToolService, ToolServiceInit, ToolErrorCode, MeshToolOptions, MeshToolResult, AuditEntry } from './tool/index.js'
export { standaloneToolExecutor } from './standalone/tools/index.js'

// routing: node ids and peer IDs to candidate peers
export { Router, NoRouteError, NotSharedError } from './router/router.js'
export type { RouteCandidate, RouteOptions, Ranking } from './router/router.js'
export type { Where, ServedPath } from './router/where.js'

// configuration
export { resolveConfig } from './config/resolve.js'
export type { ClawMatrixConfig } from './config/resolve.js'
export { configSchema } from './config/schema.js'
export type { ConfigInput } from './config/schema.js'
export { CONFIG_DEFAULTS } from './config/defaults.js'
export { ConfigError } from './config/errors.js'

// what every error above extends, and the host's ports
export { ClawMatrixError } from './errors/clawmatrix-error.js'
export type { HostPorts, ModelBackend, ModelResponse, AgentRunner, AgentRunEvent, AgentRunResult, ToolExecutor, ToolInvocation, ToolResult } from './host/ports.js'
export { VERSION } from './version.js'
