import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClawMatrix } from '../../src/node/clawmatrix.js'
import type { ClawMatrixNode, ClawMatrixOptions } from '../../src/node/clawmatrix.js'
import type { ConfigInput } from '../../src/config/schema.js'

export const BENCH_HOST = '127.0.0.1'

/** The address other nodes put in `peers[].url` (listening nodes only) */
export function dialAddr (node: ClawMatrixNode): string {
  const addr = node.libp2p.getMultiaddrs().find(a => !a.toString().includes('/p2p-circuit'))
  if (addr == null) throw new Error(`node ${node.nodeId} has no direct address: is it listening?`)
  return addr.toString()
}

/**
 * ClawMatrix nodes of one mesh in this process, on loopback with free ports and temp data dirs.
 * `stop()` stops every node and removes every dir, whatever state a run ended in.
 */
export class NodeGroup {
  readonly secret = randomBytes(16).toString('hex')
  readonly nodes: ClawMatrixNode[] = []
  private readonly dirs: string[] = []

  constructor (private readonly options: ClawMatrixOptions = {}) {}

  /** a fresh temp dir, removed by `stop()` */
  async tempDir (): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'cm-bench-'))
    this.dirs.push(dir)
    return dir
  }

  /** the settings every member needs: the secret, loopback, free ports, its own data dir */
  async baseConfig (): Promise<ConfigInput> {
    return { secret: this.secret, listenHost: BENCH_HOST, listenPort: 0, proxyPort: 0, dataDir: await this.tempDir() }
  }

  async start (config: ConfigInput): Promise<ClawMatrixNode> {
    const node = await createClawMatrix({ ...await this.baseConfig(), ...config }, this.options)
    this.nodes.push(node)
    return node
  }

  async stop (): Promise<void> {
    await Promise.all(this.nodes.splice(0).map(async node => { await node.stop().catch(() => {}) }))
    await Promise.all(this.dirs.splice(0).map(async dir => { await rm(dir, { recursive: true, force: true }) }))
  }
}
