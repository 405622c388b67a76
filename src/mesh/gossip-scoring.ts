import { createPeerScoreParams, createPeerScoreThresholds, createTopicScoreParams } from '@libp2p/gossipsub/score'
import { CAPABILITIES_TOPIC } from '../capabilities/constants.js'
import type { PeerScoreParams, PeerScoreThresholds } from '@libp2p/gossipsub/score'

/**
 * The score of a connected peer that is not admitted (membership certificates: on probation, or a
 * revoked machine's short notice at an admin): below the publish and gossip thresholds, so nothing
 * is published, forwarded or gossiped to it, and below 0, so it is never in a topic mesh; above the
 * graylist threshold, so its subscriptions are still heard and it gets gossip within a heartbeat
 * (the score cache's life) of being admitted.
 */
export const NOT_ADMITTED_SCORE = -60

export interface MeshScoreInit {
  /** whether a peer may receive gossip (membership admission); unset: every peer may */
  admitted?: (peerId: string) => boolean
}

/**
 * Gossipsub peer scoring for a private mesh behind relays.
 *
 * Gossipsub's defaults are made for an open network where anyone may join: P6 punishes more than
 * 10 peers on one IP address (-5 times the surplus squared). Gossipsub counts a relayed peer under
 * its relay's IP, so behind one hub every member shares the hub's address: the hub's score of each
 * member falls to -20 at 12 nodes and -1,125 at 25, below the gossip and publish thresholds, and
 * records stop flowing. Here every peer has already shown the cluster key (pnet) and, with
 * membership, a certificate: IP colocation says nothing about it, so P6 is off (weight 0; a
 * whitelist would need the relays' addresses in advance). What scoring still guards against is a
 * member forwarding records the validator rejects (P4) and gossip misbehaviour (P7, defaults).
 */
export function meshScoreParams (init: MeshScoreInit = {}): Partial<PeerScoreParams> {
  const admitted = init.admitted
  return createPeerScoreParams({
    IPColocationFactorWeight: 0,
    ...(admitted != null ? { appSpecificScore: (peer: string) => admitted(peer) ? 0 : NOT_ADMITTED_SCORE, appSpecificWeight: 1 } : {}),
    topics: {
      [CAPABILITIES_TOPIC]: createTopicScoreParams({
        topicWeight: 1,
        // a little credit for staying in the mesh and for delivering a record first
        timeInMeshWeight: 0.01,
        timeInMeshQuantum: 1000,
        timeInMeshCap: 300,
        firstMessageDeliveriesWeight: 0.5,
        firstMessageDeliveriesDecay: 0.9,
        firstMessageDeliveriesCap: 10,
        // off: each member publishes only its own record every few seconds, so most mesh peers
        // deliver few messages first and would sink below 0 for doing nothing wrong
        meshMessageDeliveriesWeight: 0,
        meshFailurePenaltyWeight: 0,
        // rejected records (bad signature, non-member, revoked): squared, fades within seconds
        invalidMessageDeliveriesWeight: -1,
        invalidMessageDeliveriesDecay: 0.5
      })
    }
  })
}

/** gossipsub's default thresholds, set here so a change of its defaults does not change the mesh */
export function meshScoreThresholds (): PeerScoreThresholds {
  return createPeerScoreThresholds({
    gossipThreshold: -10,
    publishThreshold: -50,
    graylistThreshold: -80,
    acceptPXThreshold: 10,
    opportunisticGraftThreshold: 20
  })
}
