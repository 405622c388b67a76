import { BlockList, isIP } from 'node:net'

/** Loopback as an address: 127.0.0.0/8 and ::1; BlockList also matches their ::ffff: mapped forms */
const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

/** What `proxyHost` must be to count as loopback, for config errors */
export const LOOPBACK_RULE = 'loopback means an IP literal in 127.0.0.0/8, ::1 (or ::ffff:127.x.y.z), or the name localhost; any other name counts as remote'

/**
 * Whether binding to `host` keeps the API on this machine. Only IP literals are judged by
 * value; of names, only `localhost` is trusted (a name such as `127.example.com` resolves
 * wherever its DNS says).
 */
export function isLoopbackHost (host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true
  const family = isIP(host)
  if (family === 0) return false
  return LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6')
}
