import { readFile } from 'node:fs/promises'
import { UsageError } from '../errors.js'

/** The JSON object in the config file at `path`, or undefined when there is none */
export async function readConfigObject (path: string): Promise<Record<string, unknown> | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err: any) {
    if (err.code === 'ENOENT') return undefined
    throw err
  }
  try {
    const value = JSON.parse(text)
    if (value == null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object')
    return value
  } catch (err: any) {
    throw new UsageError(`${path} is not a JSON config object: ${String(err.message)}`)
  }
}
