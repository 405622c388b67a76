import { MIN_SCRUBBED_SECRET_CHARS } from './constants.js'
import type { ModelConfig } from '../config/schema.js'

const REDACTED = '[redacted]'

/**
 * Cuts a model's configured secrets (its upstream key and extra header values, and the key's
 * `Bearer` form) out of what the serving node says about the model: whatever a backend, library
 * or upstream puts in an error, the key does not leave the node.
 */
export class SecretScrub {
  private readonly secrets: string[]
  private readonly secretBytes: Buffer[]

  constructor (entry: ModelConfig) {
    const { upstream } = entry
    this.secrets = [...new Set([upstream?.apiKey, ...Object.values(upstream?.headers ?? {})]
      .flatMap(value => value != null ? [value, value.replace(/^\s*Bearer\s+/i, '')] : [])
      .filter(value => value.length >= MIN_SCRUBBED_SECRET_CHARS))]
      // longest first: a header holding the key does not leave the key's tail behind
      .sort((a, b) => b.length - a.length)
    this.secretBytes = this.secrets.map(secret => Buffer.from(secret, 'utf8'))
  }

  /** whether there is anything to cut */
  get empty (): boolean {
    return this.secrets.length === 0
  }

  text (text: string): string {
    return this.secrets.reduce((out, secret) => out.includes(secret) ? out.split(secret).join(REDACTED) : out, text)
  }

  /** the bytes unchanged when they hold no secret, else their text with the secrets cut out */
  bytes (bytes: Uint8Array): Uint8Array {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    if (!this.secretBytes.some(secret => buffer.includes(secret))) return bytes
    return Buffer.from(this.text(buffer.toString('utf8')), 'utf8')
  }
}

/** the text-only form, for messages about a model */
export function secretScrubber (entry: ModelConfig): (text: string) => string {
  const scrub = new SecretScrub(entry)
  return text => scrub.text(text)
}
