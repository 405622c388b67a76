import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'

/**
 * A network lab in Linux network namespaces: a "public" segment where the hub listens, NAT
 * routers in front of private LANs, and nodes on those LANs. Everything lives inside namespaces
 * named `cmnt-<pid>-<random>-<role>`: the host's own interfaces, routes and firewall are never
 * touched. `removeStaleLabs()` deletes the namespaces of test runs whose process is gone (a
 * crash, a kill -9), killing what still runs in them.
 *
 * The public segment uses 11.0.0.0/24: libp2p treats private ranges (10/8, 192.168/16, the
 * documentation and benchmark ranges...) as non-public, and DCUtR only punches to public
 * addresses. The addresses exist only inside the lab's namespaces.
 */

const PREFIX = 'cmnt-'
export const PUBLIC_NET = '11.0.0'
export const HUB_IP = `${PUBLIC_NET}.1`

export type NatKind = 'port-preserving' | 'random-ports'

/** why the lab cannot run here, or undefined when it can */
export function labUnavailable (): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root'
  for (const tool of ['ip', 'iptables']) {
    try {
      execFileSync(tool, ['-V'], { stdio: 'ignore' })
    } catch {
      try {
        execFileSync(tool, ['--version'], { stdio: 'ignore' })
      } catch {
        return `\`${tool}\` is not installed (Debian: apt-get install ${tool === 'ip' ? 'iproute2' : 'iptables'})`
      }
    }
  }
  return undefined
}

function run (cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err: any) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${String(err.stderr ?? err.message).trim()}`)
  }
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err: any) {
    return err.code === 'EPERM'
  }
}

function namespaces (): string[] {
  return run('ip', ['netns', 'list']).split('\n').map(l => l.split(' ')[0]).filter(n => n !== '')
}

function deleteNamespace (ns: string): void {
  // the processes still in it first (a crashed run's nodes), else the namespace outlives its name
  for (const pid of run('ip', ['netns', 'pids', ns]).split('\n').filter(p => p !== '')) {
    try {
      process.kill(Number(pid), 'SIGKILL')
    } catch {}
  }
  try {
    run('ip', ['netns', 'del', ns])
  } catch {}
}

/** delete the namespaces of lab runs whose process has exited */
export function removeStaleLabs (): string[] {
  const stale = namespaces().filter(ns => {
    const pid = new RegExp(`^${PREFIX}(\\d+)-`).exec(ns)?.[1]
    return pid != null && Number(pid) !== process.pid && !isAlive(Number(pid))
  })
  for (const ns of stale) deleteNamespace(ns)
  return stale
}

export interface LanNode {
  /** the namespace the node runs in */
  ns: string
  ip: string
}

export interface Router {
  ns: string
  /** the router's public address: what peers see NATed nodes behind it come from */
  publicIp: string
  lanPrefix: string
}

export class Lab {
  readonly id = `${PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`
  private readonly created: string[] = []
  /** the namespace holding the public segment's bridge */
  private readonly net: string
  readonly hub: LanNode
  private routers = 0

  constructor () {
    this.net = this.namespace('net')
    this.ip(this.net, ['link', 'add', 'br0', 'type', 'bridge'])
    this.ip(this.net, ['link', 'set', 'br0', 'up'])
    this.hub = { ns: this.namespace('hub'), ip: HUB_IP }
    this.attach(this.hub.ns, 'eth0', this.net, 'br0', `${HUB_IP}/24`)
  }

  /**
   * A NAT router on the public segment with a LAN behind it: MASQUERADE on its public side
   * (`--random-fully` for `random-ports`), and a firewall like a home router's: nothing from
   * outside reaches it or its LAN but answers to what went out.
   */
  router (nat: NatKind): Router {
    const n = ++this.routers
    const ns = this.namespace(`r${n}`)
    const publicIp = `${PUBLIC_NET}.${n + 1}`
    const lanPrefix = `192.168.${n}`
    this.attach(ns, 'wan', this.net, 'br0', `${publicIp}/24`)
    this.ip(ns, ['link', 'add', 'lan', 'type', 'bridge'])
    this.ip(ns, ['addr', 'add', `${lanPrefix}.1/24`, 'dev', 'lan'])
    this.ip(ns, ['link', 'set', 'lan', 'up'])
    this.exec(ns, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1'])
    this.exec(ns, 'iptables', ['-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE', ...(nat === 'random-ports' ? ['--random-fully'] : [])])
    for (const chain of ['INPUT', 'FORWARD']) {
      this.exec(ns, 'iptables', ['-A', chain, '-i', 'wan', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT'])
      this.exec(ns, 'iptables', ['-A', chain, '-i', 'wan', '-j', 'DROP'])
    }
    return { ns, publicIp, lanPrefix }
  }

  /** a node's namespace on `router`'s LAN, host number `host` */
  lanNode (router: Router, host: number, name: string): LanNode {
    const ns = this.namespace(name)
    const ip = `${router.lanPrefix}.${host}`
    this.attach(ns, 'eth0', router.ns, 'lan', `${ip}/24`)
    this.ip(ns, ['route', 'add', 'default', 'via', `${router.lanPrefix}.1`])
    return { ns, ip }
  }

  /** bytes received and sent by the hub's interface */
  hubBytes (): { rx: number, tx: number } {
    const [link] = JSON.parse(run('ip', ['-n', this.hub.ns, '-s', '-j', 'link', 'show', 'dev', 'eth0'])) as Array<{ stats64: { rx: { bytes: number }, tx: { bytes: number } } }>
    return { rx: link.stats64.rx.bytes, tx: link.stats64.tx.bytes }
  }

  /** delete every namespace of this lab (and so every veth and bridge in them) */
  destroy (): void {
    for (const ns of this.created.reverse()) deleteNamespace(ns)
    this.created.length = 0
  }

  private namespace (role: string): string {
    const ns = `${this.id}-${role}`
    run('ip', ['netns', 'add', ns])
    this.created.push(ns)
    this.ip(ns, ['link', 'set', 'lo', 'up'])
    return ns
  }

  /** a veth from `ns` (named `ifname`, with `cidr`) to a port of `bridge` in `bridgeNs` */
  private attach (ns: string, ifname: string, bridgeNs: string, bridge: string, cidr: string): void {
    const port = `p${randomBytes(4).toString('hex')}`
    this.ip(ns, ['link', 'add', ifname, 'type', 'veth', 'peer', 'name', port, 'netns', bridgeNs])
    this.ip(bridgeNs, ['link', 'set', port, 'master', bridge, 'up'])
    this.ip(ns, ['addr', 'add', cidr, 'dev', ifname])
    this.ip(ns, ['link', 'set', ifname, 'up'])
  }

  private ip (ns: string, args: string[]): string {
    return run('ip', ['-n', ns, ...args])
  }

  private exec (ns: string, cmd: string, args: string[]): string {
    return run('ip', ['netns', 'exec', ns, cmd, ...args])
  }
}
