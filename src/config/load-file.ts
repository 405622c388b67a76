import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { ConfigError } from './errors.js'
import { resolveConfig } from './resolve.js'
import type { ClawMatrixConfig } from './resolve.js'

export const CONFIG_ENV = 'CLAWMATRIX_CONFIG'

/** `--config <file>`, else `$CLAWMATRIX_CONFIG`, else `~/.clawmatrix/config.json` */
export function configPath (flag?: string): string {
  return resolve(flag ?? process.env[CONFIG_ENV] ?? join(homedir(), '.clawmatrix', 'config.json'))
}

/** Read, parse and validate the standalone JSON config; every failure is a `ConfigError` */
export async function loadConfigFile (flag?: string): Promise<ClawMatrixConfig> {
  const path = configPath(flag)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err: any) {
    if (err.code === 'ENOENT') throw new ConfigError([`config file not found: ${path} (pass --config <file> or set ${CONFIG_ENV})`])
    throw new ConfigError([`cannot read config file ${path}: ${String(err.message)}`])
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err: any) {
    throw new ConfigError([`${path} is not valid JSON: ${String(err.message)}`])
  }
  return resolveConfig(raw, { source: path })
}
