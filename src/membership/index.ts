/**
 * The membership plane: certificates signed by the mesh's admins (a libp2p signed envelope per
 * member: peer ID, node id, roles, expiry), exchanged on every new connection
 * (`MEMBERSHIP_PROTOCOL`) and, with `membership: "certificates"`, the admission of peers by them.
 */
import { DefaultMembershipService } from './membership-service.js'
import type { Certificate } from './certificate.js'
import type { CertificateView, MembershipStore } from './membership-store.js'
import type { Revocation } from './revocation.js'
import type { RevocationRejections } from './revocations.js'
import type { Rotation } from './rotation.js'
import type { SecretRotations, SecretRotationView } from './secret-rotations.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { ComponentLogger, ConnectionGater, Libp2pEvents, PeerId, PrivateKey, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

export type { Certificate, SignedCertificate } from './certificate.js'
export type { CertificateView, CertificateProblem } from './membership-store.js'
export type { Revocation, SignedRevocation } from './revocation.js'
export type { RevocationRejections } from './revocations.js'
export type { Rotation, SignedRotation } from './rotation.js'
export type { RotationSummary, SecretRotationView } from './secret-rotations.js'
export { SecretRotations } from './secret-rotations.js'
export { openRotation, sealRotation } from './rotation.js'
export { openRevocation, sealRevocation } from './revocation.js'
export { RevocationList } from './revocation-list.js'
export { MembershipStore } from './membership-store.js'
export { openCertificate, sealCertificate, isExpired } from './certificate.js'
export { readCertificateFile, writeCertificateFile } from './envelope-file.js'
export { MEMBERSHIP_PROTOCOL, CERTIFICATE_DOMAIN, CERTIFICATES_FILE, ADMIN_ROLE, PROBATION_MS, MAX_CHAIN_DEPTH, REVOCATION_DOMAIN, REVOCATIONS_FILE, REVOCATIONS_TOPIC, MAX_REASON_CHARS, ROTATION_DOMAIN, ROTATIONS_FILE, MAX_ROTATION_LEAD_MS, DEFAULT_ROTATION_LEAD_MS } from './constants.js'
export { InvalidCertificateError, InvalidRevocationError, InvalidRotationError, NotAdminError, httpStatusOf } from './errors.js'
export type { CertificateRejection, MembershipErrorCode, RevocationRejection, RotationRejection } from './errors.js'

export type MembershipMode = 'open' | 'certificates'

/** why this node is not a member, as its status says */
export type OwnMembershipProblem = 'revoked' | 'issuerRevoked' | 'expired' | 'untrusted' | 'uncertified'

/** how this node sees a peer: `certified` (or a root admin, or any peer in `open` mode), `probation`, `refused`, `revoked` */
export type MembershipStanding = 'certified' | 'probation' | 'refused' | 'revoked'

/** what `admitRecord` says of a capability record: taken, its signer uncertified or revoked, or its node id not the certified one */
export type RecordAdmission = 'ok' | 'uncertified' | 'uncertifiedNodeId' | 'revoked'

export interface MembershipInit {
  mode: MembershipMode
  /** the root admins' peer IDs */
  admins: string[]
  /** file keeping the certificates about this node and those it issued */
  certificatesFile?: string
  /** file keeping every revocation this node holds */
  revocationsFile?: string
  /** protocols whose streams only admitted peers may open, either way */
  gatedProtocols?: string[]
  probationMs?: number
  refusedMs?: number
  admissionWaitMs?: number
  exchangeTimeoutMs?: number
  /** the node's cluster key and its rotations (absent: this node neither rotates nor passes rotations on) */
  rotations?: SecretRotations
}

export interface MembershipComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  /** gossipsub, when the node runs it: new revocations travel on REVOCATIONS_TOPIC */
  pubsub?: GossipSub
}

export interface MembershipEvents {
  /** a peer on probation showed a valid certificate (the detail is its peer ID) */
  'admitted': CustomEvent<string>
  /** an exchange with a peer ended, or its probation did (the detail is its peer ID) */
  'exchanged': CustomEvent<string>
  /**
   * this node holds a new valid certificate of its own and the peer in the detail (its peer ID)
   * holds it too (it sent it, or took it in an exchange since): that peer admits this node now
   */
  'certificate-shown': CustomEvent<string>
}

export interface CertificateRequest {
  subject: string
  nodeId: string
  roles?: string[]
  /** ms since the epoch */
  expiresAt?: number
}

export interface RevocationRequest {
  /** the peer ID to revoke */
  subject: string
  reason?: string
}

/** A revocation as `members` lists it, with the node id of the subject's certificate when one is held */
export interface RevocationView extends Revocation {
  nodeId: string | null
}

export interface MembershipSummary {
  mode: MembershipMode
  admins: string[]
  /** this node may sign certificates */
  canCertify: boolean
  /** this node's own valid certificate */
  certificate: Certificate | null
  /**
   * in `certificates` mode, why this node is not a member (null when it is: a root admin or
   * certified): `revoked`, or of its own certificates `issuerRevoked`, `expired`, `untrusted`,
   * else `uncertified` (none held)
   */
  problem: OwnMembershipProblem | null
  /** connected peers without a valid certificate yet */
  probation: string[]
  /** peers refused, until (ms since the epoch) */
  refused: Array<{ peerId: string, until: number }>
  /** revocations held */
  revocationCount: number
  /** revocations ignored, by reason (`unauthorized`: signed by a peer that may not revoke the subject) */
  rejectedRevocations: RevocationRejections
}

export interface MembershipService extends TypedEventTarget<MembershipEvents> {
  readonly mode: MembershipMode
  readonly store: MembershipStore
  isAdmitted(peerId: string): boolean
  /** whether this node holds a revocation of `peerId` */
  isRevoked(peerId: string): boolean
  standing(peerId: string): MembershipStanding
  waitAdmitted(peerId: string, ms?: number): Promise<boolean>
  admitRecord(peerId: string, nodeId: string, source: string): Promise<RecordAdmission>
  certify(request: CertificateRequest): Promise<Certificate>
  canCertify(): boolean
  revoke(request: RevocationRequest): Promise<Revocation>
  /** sign a rotation of the cluster key that every member switches to at `switchAt` (ms since the epoch) */
  rotateSecret(switchAt: number): Promise<Rotation>
  /** the cluster key in use, a pending rotation and the last one; null without rotation support */
  secretRotation(): SecretRotationView | null
  /** every revocation held, the newest first */
  revocationList(): RevocationView[]
  certificates(): CertificateView[]
  summary(): MembershipSummary
  peerMembership(peerId: string): { membership: MembershipStanding, certificateExpiresAt: number | null }
  /** the connection gater of this mode (empty in `open` mode) */
  gater(): ConnectionGater
  /** the relay limit of a circuit from `source` (a peer not admitted gets one that ends with its probation) */
  relayCircuitLimit(source: PeerId): { duration: number, data: bigint } | undefined
}

/** The membership service: the certificate exchange and, in `certificates` mode, admission */
export function membershipService (init: MembershipInit): (components: MembershipComponents) => MembershipService {
  return (components) => new DefaultMembershipService(components, init)
}
