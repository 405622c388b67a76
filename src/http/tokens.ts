import { randomBytes, timingSafeEqual } from 'node:crypto'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

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

export function tokenMatches (presented: string, expected: string): boolean {
  const a = Buffer.from(presented)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
