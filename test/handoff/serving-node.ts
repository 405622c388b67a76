/**
 * A serving node in a process of its own, so a test can kill it outright (SIGKILL).
 * argv: <hub multiaddr> <nodeId> <agents as JSON>. Prints one JSON line once it can be dialled:
 * { peerId, address }.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { waitFor } from '../helpers/wait.js'
import { startAgentNode } from './agent-mesh.js'

const [hubAddr, nodeId, agentsJson] = process.argv.slice(2)
const node = await startAgentNode({ nodeId, agents: JSON.parse(agentsJson) })
await node.libp2p.dial(multiaddr(hubAddr))
await waitFor(`${nodeId} to hold a relay reservation`, () => node.address() !== '')
process.stdout.write(JSON.stringify({ peerId: node.libp2p.peerId.toString(), address: node.address() }) + '\n')
process.on('SIGTERM', () => { void node.stop().finally(() => process.exit(0)) })
