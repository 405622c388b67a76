import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadConfigFile } from '../config/load-file.js'
import { ADMIN_TOKEN_FILE, API_TOKEN_FILE } from '../http/tokens.js'
import { NodeUnreachableError, RemoteError } from './errors.js'
import { terminalSafe } from './terminal-text.js'

export interface RequestOptions {
  body?: unknown
  /** use the admin token (routes that act on other nodes) */
  admin?: boolean
  signal?: AbortSignal
}

export interface ApiClient {
  readonly baseUrl: string
  /** a fetch Response; throws NodeUnreachableError when nothing answers */
  request(method: string, path: string, options?: RequestOptions): Promise<Response>
  /** request + JSON body; non-2xx answers become RemoteError */
  json<T>(method: string, path: string, options?: RequestOptions): Promise<T>
}

export interface ClientOptions {
  config?: string
}

async function readToken (dataDir: string, file: string): Promise<string> {
  try {
    return (await readFile(join(dataDir, file), 'utf8')).trim()
  } catch (err: any) {
    if (err.code === 'ENOENT') return ''
    throw err
  }
}

/** Turn an error answer (OpenAI-shaped or not) into a RemoteError */
export async function remoteErrorFrom (res: Response): Promise<RemoteError> {
  const text = await res.text()
  try {
    const body = JSON.parse(text)
    const error = body?.error ?? body
    if (typeof error?.message === 'string') return new RemoteError(String(error.code ?? res.status), error.message)
  } catch {}
  return new RemoteError(String(res.status), text.trim() !== '' ? text.trim() : res.statusText)
}

/** A client for the running node's HTTP API, found through the same config as `start` */
export async function apiClientFromOptions (options: ClientOptions): Promise<ApiClient> {
  const config = await loadConfigFile(options.config)
  const host = config.proxyHost === '0.0.0.0' ? '127.0.0.1' : config.proxyHost
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${config.proxyPort}`
  const apiToken = config.apiToken ?? await readToken(config.dataDir, API_TOKEN_FILE)
  const adminToken = await readToken(config.dataDir, ADMIN_TOKEN_FILE)

  const request = async (method: string, path: string, opts: RequestOptions = {}): Promise<Response> => {
    const headers: Record<string, string> = { authorization: `Bearer ${opts.admin === true ? adminToken : apiToken}` }
    if (opts.body !== undefined) headers['content-type'] = 'application/json'
    try {
      return await fetch(baseUrl + path, {
        method,
        headers,
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        ...(opts.signal != null ? { signal: opts.signal } : {})
      })
    } catch (err: any) {
      if (opts.signal?.aborted === true) throw err
      throw new NodeUnreachableError(host, config.proxyPort)
    }
  }
  return {
    baseUrl,
    request,
    json: async <T>(method: string, path: string, opts?: RequestOptions): Promise<T> => {
      const res = await request(method, path, opts)
      if (!res.ok) throw await remoteErrorFrom(res)
      return await res.json() as T
    }
  }
}

/** Print `error [<code>]: <message>` on stderr and make the process exit 1 */
export function reportRemoteError (code: string, message: string): void {
  process.stderr.write(`error [${terminalSafe(code)}]: ${terminalSafe(message)}\n`)
  process.exitCode = 1
}
