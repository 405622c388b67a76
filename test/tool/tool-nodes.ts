import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveConfig } from '../../src/config/resolve.js'
import { standaloneToolExecutor } from '../../src/standalone/tools/index.js'
import { fileRootsOf } from '../../src/tool/file-roots.js'
import { toolInitFromConfig, toolService } from '../../src/tool/index.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { waitFor } from '../helpers/wait.js'
import type { ConfigInput } from '../../src/config/schema.js'
import type { AuditEntry, AuditLogInit, ToolService } from '../../src/tool/index.js'
import type { Libp2p, PeerId } from '@libp2p/interface'

export type ToolNode = Libp2p<{ tool: ToolService }>

/**
 * Real libp2p nodes for the tool plane: a listening hub, and nodes that only dial out to it and
 * reach each other through its relay. `names` stands in for the announced node ids.
 */
export class ToolTestMesh {
  readonly names = new Map<string, string>()
  private readonly nodes: Libp2p[] = []
  private readonly dirs: string[] = []
  private hub?: Libp2p

  async start (): Promise<void> {
    this.hub = await startTestLibp2p({ listen: true })
    this.nodes.push(this.hub)
  }

  async tempDir (prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix))
    this.dirs.push(dir)
    return dir
  }

  /** A node behind the hub serving tools under `config` (dataDir defaults to a temp dir) */
  async node (nodeId: string, config: Omit<ConfigInput, 'nodeId'> = {}, audit?: AuditLogInit): Promise<ToolNode> {
    if (this.hub == null) throw new Error('start the mesh first')
    const resolved = resolveConfig({ nodeId, dataDir: await this.tempDir(`cm-tool-${nodeId}-`), ...config })
    const node = await startTestLibp2p({
      listen: false,
      services: {
        tool: toolService({
          ...toolInitFromConfig(resolved, standaloneToolExecutor({ maxOutputBytes: resolved.toolProxy.maxOutputBytes, fileRoots: fileRootsOf(resolved) })),
          nodeIdOf: (peerId: PeerId) => this.names.get(peerId.toString()),
          ...(audit != null ? { audit } : {})
        })
      }
    }) as unknown as ToolNode
    this.nodes.push(node)
    this.names.set(node.peerId.toString(), nodeId)
    await node.dial(this.hub.getMultiaddrs()[0])
    await waitFor(`${nodeId} to hold a relay reservation`, () => node.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit')))
    return node
  }

  /** Connect `from` to `to` through the hub only */
  async relay (from: ToolNode, to: ToolNode): Promise<void> {
    const circuit = to.getMultiaddrs().find(a => a.toString().includes('/p2p-circuit'))
    if (circuit == null) throw new Error('no circuit address')
    const connection = await from.dial(circuit)
    if (!connection.remoteAddr.toString().includes('/p2p-circuit')) throw new Error('expected a relayed connection')
  }

  async stop (): Promise<void> {
    await Promise.all(this.nodes.map(async n => { await Promise.resolve(n.stop()).catch(() => {}) }))
    await Promise.all(this.dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  }
}

/** Every line of a node's audit log */
export async function auditLines (node: ToolNode): Promise<AuditEntry[]> {
  await node.services.tool.audit.flush()
  const text = await readFile(node.services.tool.audit.file, 'utf8').catch(() => '')
  return text.split('\n').filter(l => l !== '').map(l => JSON.parse(l) as AuditEntry)
}

/** The error a promise rejects with (fails the test when it resolves) */
export async function rejection (promise: Promise<unknown>): Promise<any> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected the call to be refused, but it succeeded')
}
