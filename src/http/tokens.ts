import { randomBytes, timingSafeEqual } from 'node:crypto'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { IncomingMessage } from 'node:http'

export const API_TOKEN_FILE = 'api-token'
export const ADMIN_TOKEN_FILE = 'admin-token'

export interface ApiTokens {
  /** grants the /v1 model routes and read-only status */
  apiToken: string
  /** grants everything, including routes that act on other nodes */
  adminToken: string
}

async function readOrCreateToken (file: string): Promise<string> {
  try {
    const token = (await readFile(file, 'utf8')).trim()
    if (token !== '') {
      await chmod(file, 0o600)
      return token
    }
  } catch (err: any) {
    if (err.code !== 'ENOENT') throw err
  }
  const token = randomBytes(24).toString('base64url')
  await writeFile(file, token + '\n', { mode: 0o600 })
  await chmod(file, 0o600)
  return token
}

/** The configured apiToken or one generated into dataDir; the admin token always in dataDir */
export async function loadApiTokens (dataDir: string, configured?: string): Promise<ApiTokens> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const apiToken = configured ?? await readOrCreateToken(join(dataDir, API_TOKEN_FILE))
  const adminToken = await readOrCreateToken(join(dataDir, ADMIN_TOKEN_FILE))
  return { apiToken, adminToken }
}

/** The token of an `Authorization: Bearer <token>` header, if the request has one */
export function bearerToken (req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  return header?.startsWith('Bearer ') === true ? header.slice('Bearer '.length).trim() : undefined
}

/** `presented` is the apiToken or the admin token (what the `api` routes take) */
export function grantsApi (tokens: ApiTokens, presented: string | undefined): boolean {
  return presented != null && presented !== '' && (tokenMatches(presented, tokens.apiToken) || tokenMatches(presented, tokens.adminToken))
}

export function tokenMatches (presented: string, expected: string): boolean {
  const a = Buffer.from(presented)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
