import { readFile } from 'node:fs/promises'

/**
 * The vector table of one protocol's section in protocols/PROTOCOL.md: rows
 * `| name | `frame` | `hex` |` → name → hex.
 */
export async function publishedVectors (protocolId: string): Promise<Map<string, string>> {
  const text = await readFile(new URL('../../protocols/PROTOCOL.md', import.meta.url), 'utf8')
  const heading = text.split('\n').findIndex(line => line.startsWith('## ') && line.includes('`' + protocolId + '`'))
  if (heading < 0) throw new Error(`PROTOCOL.md has no section for ${protocolId}`)
  const lines = text.split('\n').slice(heading + 1)
  const next = lines.findIndex(line => line.startsWith('## '))
  const section = (next < 0 ? lines : lines.slice(0, next)).join('\n')
  const vectors = new Map<string, string>()
  for (const match of section.matchAll(/^\| ([a-z ]+) \| `[^`]+` \| `([0-9a-f]+)` \|$/gm)) vectors.set(match[1], match[2])
  return vectors
}
