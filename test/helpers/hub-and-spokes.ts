import { removeTempDirs, startNode } from './mesh.js'
import type { TestNode } from './mesh.js'
import type { ClawMatrixOptions } from '../../src/node/clawmatrix.js'

/** The nodes a test file starts, stopped together (in `afterEach`) */
export class StartedNodes {
  private readonly nodes: TestNode[] = []

  async start (...args: Parameters<typeof startNode>): Promise<TestNode> {
    const node = await startNode(...args)
    this.nodes.push(node)
    return node
  }

  /** a listening hub and `count` nodes that only dial out to it (they reach each other through its relay) */
  async hubAndSpokes (count: number, options: ClawMatrixOptions = {}): Promise<{ hub: TestNode, spokes: TestNode[] }> {
    const hub = await this.start({ nodeId: 'hub', listen: true }, options)
    const peers = [{ nodeId: 'hub', url: hub.dialAddr }]
    const spokes = await Promise.all(Array.from({ length: count }, async (_, i) => await this.start({ nodeId: `spoke-${i + 1}`, peers }, options)))
    return { hub, spokes }
  }

  async stopAll (): Promise<void> {
    await Promise.all(this.nodes.splice(0).map(async n => { await n.stop().catch(() => {}) }))
    await removeTempDirs()
  }
}

/** every node holds a live record of every other node */
export function everyRecordHeld (nodes: TestNode[]): boolean {
  return nodes.every(holder => {
    const live = new Set(holder.capabilities.table.live().map(e => e.record.peerId))
    return nodes.every(n => n === holder || live.has(n.peerId))
  })
}
