import { access, constants as fsConstants, stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { IDENTITY_FILE } from '../mesh/identity.js'
import { API_TOKEN_FILE } from '../http/tokens.js'
import { readFile } from 'node:fs/promises'
import { DOCTOR_API_TIMEOUT_MS, IDENTITY_FILE_MODE } from './constants.js'
import type { DoctorCheck } from './index.js'
import type { ClawMatrixConfig } from '../config/resolve.js'

/** The data dir exists and is writable, and the identity file is private to its owner */
export async function checkDataDir (config: ClawMatrixConfig, checks: DoctorCheck[]): Promise<void> {
  const dir = config.dataDir
  try {
    if (!(await stat(dir)).isDirectory()) {
      checks.push({ name: 'data dir', status: 'fail', message: `${dir} is not a directory`, fix: 'point dataDir at a directory, or remove the file there' })
      return
    }
  } catch (err: any) {
    if (err.code === 'ENOENT') {
      checks.push({ name: 'data dir', status: 'warn', message: `${dir} does not exist yet`, fix: '`clawmatrix start` creates it (mode 0700) with a new identity; create it first if you want to choose its owner' })
      return
    }
    checks.push({ name: 'data dir', status: 'fail', message: `cannot read ${dir}: ${String(err.code ?? err.message)}`, fix: `give this user access: chown $(id -u) ${dir}` })
    return
  }
  try {
    await access(dir, fsConstants.W_OK)
    checks.push({ name: 'data dir', status: 'ok', message: `${dir} is writable` })
  } catch {
    checks.push({ name: 'data dir', status: 'fail', message: `${dir} is not writable by this user`, fix: `chown $(id -u) ${dir} && chmod 700 ${dir}` })
  }
  const file = join(dir, IDENTITY_FILE)
  try {
    const mode = (await stat(file)).mode & 0o777
    if ((mode & ~IDENTITY_FILE_MODE) !== 0) {
      checks.push({ name: 'identity', status: 'fail', message: `${file} has mode ${mode.toString(8)}: others can read the node's private key`, fix: `chmod 600 ${file}` })
    } else {
      checks.push({ name: 'identity', status: 'ok', message: `${file} is private (mode ${mode.toString(8)})` })
    }
  } catch (err: any) {
    if (err.code === 'ENOENT') checks.push({ name: 'identity', status: 'warn', message: `no identity in ${dir} yet`, fix: '`clawmatrix start` creates one; members and pinned peerIds elsewhere must then list its peer ID (`clawmatrix id`)' })
    else checks.push({ name: 'identity', status: 'fail', message: `cannot read ${file}: ${String(err.code ?? err.message)}`, fix: `chmod 600 ${file} and make this user its owner` })
  }
}

export interface RunningNode {
  baseUrl: string
  token: string
}

/** The API port is free, or held by this node (its API answers our token): then the node is running */
export async function checkApiPort (config: ClawMatrixConfig, checks: DoctorCheck[]): Promise<RunningNode | undefined> {
  const host = config.proxyHost === '0.0.0.0' ? '127.0.0.1' : config.proxyHost
  const where = `${host}:${config.proxyPort}`
  const bindError = await new Promise<string | undefined>(resolve => {
    const server = createServer()
    server.once('error', (err: any) => { resolve(String(err.code ?? err.message)) })
    server.listen(config.proxyPort, config.proxyHost, () => { server.close(() => { resolve(undefined) }) })
  })
  if (bindError == null) {
    checks.push({ name: 'api port', status: 'ok', message: `${where} is free (the node is not running)` })
    return undefined
  }
  if (bindError !== 'EADDRINUSE') {
    checks.push({ name: 'api port', status: 'fail', message: `cannot bind ${where}: ${bindError}`, fix: 'choose another proxyHost/proxyPort (ports below 1024 need privileges)' })
    return undefined
  }
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${config.proxyPort}`
  let token = config.apiToken ?? ''
  if (token === '') token = (await readFile(join(config.dataDir, API_TOKEN_FILE), 'utf8').catch(() => '')).trim()
  try {
    const res = await fetch(`${baseUrl}/clawmatrix/status`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(DOCTOR_API_TIMEOUT_MS) })
    const body = await res.json().catch(() => null) as { nodeId?: string } | null
    if (res.ok && body?.nodeId === config.nodeId) {
      checks.push({ name: 'api port', status: 'ok', message: `${where} is held by this node (${config.nodeId}, running)` })
      return { baseUrl, token }
    }
    const who = res.ok ? `node "${String(body?.nodeId)}"` : `something that answers HTTP ${res.status} to this node's token`
    checks.push({ name: 'api port', status: 'fail', message: `${where} is held by ${who}`, fix: 'stop that process or set another proxyPort' })
  } catch {
    checks.push({ name: 'api port', status: 'fail', message: `${where} is in use by another program`, fix: `find it (ss -ltnp 'sport = :${config.proxyPort}') and stop it, or set another proxyPort` })
  }
  return undefined
}
