import { hostname, homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { configSchema } from './schema.js'
import { ConfigError, formatZodIssues } from './errors.js'
import { isLoopbackHost, LOOPBACK_RULE } from './loopback.js'
import { parsePeerAddress } from '../mesh/peer-address.js'
import type { ParsedConfig } from './schema.js'

/** A validated configuration with every dynamic default filled in */
export interface ClawMatrixConfig extends ParsedConfig {
  nodeId: string
  dataDir: string
}

export interface ResolveOptions {
  /** where the config came from, for error messages */
  source?: string
  /** base folder for the default dataDir; default `~/.clawmatrix` */
  stateRoot?: string
}

/** Validate raw config once and fill in the dynamic defaults; throws `ConfigError` */
export function resolveConfig (input: unknown, options: ResolveOptions = {}): ClawMatrixConfig {
  const parsed = configSchema.safeParse(input ?? {})
  if (!parsed.success) throw new ConfigError(formatZodIssues(parsed.error.issues), options.source)
  const config = parsed.data
  const problems: string[] = []

  config.peers.forEach((peer, i) => {
    try {
      parsePeerAddress(peer.url, peer.peerId)
    } catch (err: any) {
      problems.push(`peers[${i}].url: ${String(err.message)}`)
    }
  })
  const pinned = new Map<string, string>()
  config.peers.forEach((peer, i) => {
    if (peer.nodeId == null || peer.peerId == null) return
    const earlier = pinned.get(peer.nodeId)
    if (earlier != null && earlier !== peer.peerId) problems.push(`peers[${i}].peerId: node id "${peer.nodeId}" is already pinned to ${earlier}`)
    pinned.set(peer.nodeId, peer.peerId)
  })
  if (!isLoopbackHost(config.proxyHost) && !config.proxyAllowRemote) {
    problems.push(`proxyHost: "${config.proxyHost}" is not a loopback address; set proxyAllowRemote: true to expose the API (${LOOPBACK_RULE})`)
  }
  if (config.metricsPublic && config.proxyAllowRemote) {
    problems.push('metricsPublic: cannot be true with proxyAllowRemote: true, as it would show the mesh\'s metrics without a token to any host that can reach the API; keep the token on /metrics or keep the API on loopback')
  }
  if (config.membership === 'certificates' && (config.admins == null || config.admins.length === 0)) {
    problems.push('admins: required with membership "certificates" (the peer IDs of the mesh\'s root admins; `clawmatrix init` sets it)')
  }
  if (config.holePunchPort != null && config.listen) problems.push('holePunchPort: only for a dial-out node (listen: false); a listening node is dialed directly')
  if (config.holePunchPort != null && config.tcpPort === config.holePunchPort) problems.push(`holePunchPort: must differ from tcpPort (${config.tcpPort}): the node dials from one and listens on the other`)
  const seen = new Set<string>()
  config.agents.forEach((agent, i) => {
    if (seen.has(agent.id)) problems.push(`agents[${i}].id: "${agent.id}" is listed twice`)
    seen.add(agent.id)
  })
  if (problems.length > 0) throw new ConfigError(problems, options.source)

  const nodeId = config.nodeId ?? hostname().replace(/[^A-Za-z0-9._:@-]/g, '-')
  const stateRoot = options.stateRoot ?? join(homedir(), '.clawmatrix')
  const dataDir = resolve(config.dataDir ?? join(stateRoot, nodeId))
  return { ...config, nodeId, dataDir }
}
