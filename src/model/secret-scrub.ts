import { MIN_SCRUBBED_SECRET_CHARS } from './constants.js'
import type { ModelConfig } from '../config/schema.js'

const REDACTED = '[redacted]'

/**
 * A function that cuts a model's configured secrets (its upstream key and extra header values,
 * and the key's `Bearer` form) out of a text, for every message the serving node makes about the
 * model: whatever a backend or library puts in an error, the key does not leave the node.
 */
export function secretScrubber (entry: ModelConfig): (text: string) => string {
  const { upstream } = entry
  const secrets = [upstream?.apiKey, ...Object.values(upstream?.headers ?? {})]
    .flatMap(value => value != null ? [value, value.replace(/^\s*Bearer\s+/i, '')] : [])
    .filter(value => value.length >= MIN_SCRUBBED_SECRET_CHARS)
    // longest first: a header holding the key does not leave the key's tail behind
    .sort((a, b) => b.length - a.length)
  if (secrets.length === 0) return text => text
  return text => secrets.reduce((out, secret) => out.includes(secret) ? out.split(secret).join(REDACTED) : out, text)
}
