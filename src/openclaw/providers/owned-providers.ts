import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { OWNED_PROVIDERS_FILE } from '../constants.js'

/**
 * The `models.providers` ids this plugin created, remembered in dataDir so that a provider the
 * user wrote is never taken for one of ours.
 */
export class OwnedProviders {
  private constructor (private readonly file: string, private readonly ids: Set<string>) {}

  static async load (dataDir: string): Promise<OwnedProviders> {
    const file = join(dataDir, OWNED_PROVIDERS_FILE)
    let ids: string[] = []
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8'))
      if (Array.isArray(parsed?.providers)) ids = parsed.providers.filter((id: unknown): id is string => typeof id === 'string')
    } catch (err: any) {
      if (err.code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err
    }
    return new OwnedProviders(file, new Set(ids))
  }

  has (id: string): boolean {
    return this.ids.has(id)
  }

  list (): string[] {
    return [...this.ids].sort()
  }

  async save (ids: Iterable<string>): Promise<void> {
    this.ids.clear()
    for (const id of ids) this.ids.add(id)
    const temporary = `${this.file}.${process.pid}.tmp`
    await writeFile(temporary, JSON.stringify({ providers: this.list() }, null, 2) + '\n', { mode: 0o600 })
    await rename(temporary, this.file)
  }
}
