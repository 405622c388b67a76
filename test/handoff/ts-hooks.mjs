// Module hooks that let a child Node process run this repository's TypeScript directly (with
// --experimental-transform-types): an import of `x.js` that does not exist resolves to `x.ts`.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export async function resolve (specifier, context, next) {
  if (specifier.endsWith('.js') && /^\.{1,2}\//.test(specifier) && context.parentURL?.startsWith('file:')) {
    const url = new URL(specifier, context.parentURL)
    const ts = new URL(url.href.slice(0, -3) + '.ts')
    if (!existsSync(fileURLToPath(url)) && existsSync(fileURLToPath(ts))) return await next(ts.href, context)
  }
  return await next(specifier, context)
}
