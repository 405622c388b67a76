import { isIP } from 'node:net'
import { isLoopbackHost } from '../config/loopback.js'
import { HttpError } from './respond.js'

/** The loopback names a browser on this machine may use for an API bound to loopback */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]']
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]'])

/** `host` as it appears in a Host header: IPv6 literals in brackets, names in lower case */
function hostForm (host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  return isIP(bare) === 6 ? `[${bare.toLowerCase()}]` : bare.toLowerCase()
}

/** Splits `name:port`, `[v6]:port`, `name` or `[v6]` into the host (as `hostForm`) and the port */
function splitHost (header: string): { host: string, port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(header)
  if (match == null) return undefined
  return { host: hostForm(match[1]), port: match[2] != null ? Number(match[2]) : 80 }
}

function isIpLiteral (host: string): boolean {
  return isIP(host.startsWith('[') ? host.slice(1, -1) : host) !== 0
}

/**
 * Which Host headers the API answers, against DNS rebinding: a page from another site whose name
 * was pointed at this address sends its own name as Host. Accepted: `<proxyHost>:<port>`; when
 * bound to loopback also `localhost`, `127.0.0.1` and `[::1]`; when bound to a wildcard address
 * (only with proxyAllowRemote) any IP literal plus `localhost`, never another name.
 */
export class HostCheck {
  private readonly bound: string
  private readonly names: Set<string>

  constructor (bindHost: string, private readonly port: number) {
    this.bound = hostForm(bindHost)
    this.names = new Set([this.bound])
    if (isLoopbackHost(bindHost.replace(/^\[|\]$/g, ''))) for (const name of LOOPBACK_NAMES) this.names.add(name)
  }

  allows (header: string | undefined): boolean {
    if (header == null || header === '') return false
    const parsed = splitHost(header.trim())
    if (parsed == null || parsed.port !== this.port) return false
    if (this.names.has(parsed.host)) return true
    return WILDCARDS.has(this.bound) && (parsed.host === 'localhost' || isIpLiteral(parsed.host))
  }

  /** the 421 for a request whose Host this server does not serve */
  refusal (header: string | undefined): HttpError {
    const expected = `${[...this.names][0]}:${this.port}`
    return new HttpError(421, 'misdirected_request', header == null || header === ''
      ? `a request without a Host header is refused; send Host: ${expected}`
      : `Host "${header}" is not an address this API serves (it answers ${expected}); refused against DNS rebinding`)
  }
}
