import { lstat, realpath } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path'
import { ToolError } from './errors.js'
import type { ClawMatrixConfig } from '../config/resolve.js'

type RootsConfig = Pick<ClawMatrixConfig, 'nodeId' | 'dataDir' | 'toolProxy'>

function isInside (path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep)
}

function pathError (err: any, path: string): ToolError {
  switch (err?.code) {
    case 'ENOTDIR':
      return new ToolError('bad_arguments', `a part of ${path} is not a directory`)
    case 'ELOOP':
      return new ToolError('denied', `${path} goes through a loop of symbolic links`)
    case 'EACCES':
    case 'EPERM':
      return new ToolError('denied', `permission denied: ${path}`)
    default:
      return new ToolError('failed', `cannot resolve ${path}: ${String(err?.message ?? err)}`)
  }
}

/**
 * The real path `path` stands for, every symbolic link followed; for a path that does not exist
 * yet, the real path of its nearest existing ancestor plus the rest. A dangling link is refused:
 * writing through it would create its target wherever it points.
 */
export async function canonicalPath (path: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await realpath(path)
    } catch (err: any) {
      if (err.code !== 'ENOENT') throw pathError(err, path)
    }
    const entry = await lstat(path).catch(() => null)
    if (entry == null) break
    // made between the two calls: look again
    if (!entry.isSymbolicLink() && attempt < 2) continue
    throw new ToolError('denied', `${path} is a symbolic link to a missing target`)
  }
  const parent = dirname(path)
  if (parent === path) return path
  return join(await canonicalPath(parent), basename(path))
}

async function canonicalRoots (roots: string[]): Promise<string[]> {
  const found: string[] = []
  for (const root of roots) {
    const real = await realpath(root).catch(() => null)
    if (real != null) found.push(real)
  }
  return found
}

/**
 * Where the file tools may land right now: inside a root (as a real path) and not inside
 * dataDir. Both the tool service's check of the requested path and the tools' check of
 * each descriptor they open go through `refusal`, so they refuse with the same words.
 */
export interface ConfinedArea {
  /**
   * Why a real path is closed to the tools ("resolves to <real>, outside toolProxy.roots on
   * <node>"), to follow the path the caller named; undefined when it is open to them
   */
  refusal(real: string): string | undefined
  /** whether `real` is one of the roots itself (whose parent lies outside them) */
  isRoot(real: string): boolean
}

/** The toolProxy.roots of a node, resolved again on each call (a root may appear or move) */
export interface FileRoots {
  area(): Promise<ConfinedArea>
}

export function fileRootsOf (config: RootsConfig): FileRoots {
  return {
    async area () {
      const node = config.nodeId
      const dataDir = await canonicalPath(resolve(config.dataDir))
      const roots = await canonicalRoots(config.toolProxy.roots)
      return {
        refusal (real) {
          if (isInside(real, dataDir)) return `is inside the dataDir of ${node} (keys, tokens, audit log), which tools may never touch`
          if (!roots.some(root => isInside(real, root))) return `resolves to ${real}, outside toolProxy.roots on ${node}`
          return undefined
        },
        isRoot: real => roots.includes(real)
      }
    }
  }
}

/**
 * Check a file tool's `path` against toolProxy.roots and answer its real path, which is what
 * the tool then gets: no `..`, no links. Relative paths start at the first root. Anything
 * inside dataDir (identity key, tokens, audit log) is refused, even under a root. The tools
 * check again what they actually opened (see standalone/tools/confined-fs.ts): a link swapped
 * in after this check does not take them outside.
 */
export async function confineToRoots (config: RootsConfig, tool: string, path: unknown): Promise<string> {
  const node = config.nodeId
  if (typeof path !== 'string' || path === '') {
    throw new ToolError('bad_arguments', `bad arguments for ${tool}: path: ${path == null ? 'is required' : 'must be a non-empty string'}`)
  }
  if (path.includes('\0')) throw new ToolError('bad_arguments', `bad arguments for ${tool}: path: must not contain NUL`)
  const { roots } = config.toolProxy
  if (roots.length === 0) {
    throw new ToolError('denied', `${tool} needs toolProxy.roots on ${node}: no directory is open to file tools`)
  }
  // not normalized first: `..` after a link must go where the kernel would take it
  const requested = isAbsolute(path) ? path : `${resolve(roots[0])}${sep}${path}`
  const real = await canonicalPath(requested)
  const refusal = (await fileRootsOf(config).area()).refusal(real)
  if (refusal != null) throw new ToolError('denied', `${path} ${refusal}`)
  return real
}
