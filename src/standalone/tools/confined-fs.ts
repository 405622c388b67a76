import { constants } from 'node:fs'
import { lstat, mkdir, open, opendir, readlink, realpath } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { ToolError } from '../../tool/errors.js'
import type { ConfinedArea, FileRoots } from '../../tool/file-roots.js'
import type { Dir } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'

/**
 * Opening files so that a symbolic link swapped into the path after the tool service checked
 * it cannot take a file tool outside toolProxy.roots.
 *
 * With /proc/self/fd (Linux), the parent directory is opened first and pinned: the real path
 * of its descriptor (the kernel's answer, not the path's) must be inside a root, and the file
 * is then opened as /proc/self/fd/<dir>/<name> with O_NOFOLLOW, so the name is looked up in
 * that very directory whatever the path now points at. The file's own descriptor is checked
 * again. A write never creates or truncates anything before both checks: existing files are
 * opened without O_TRUNC and truncated through the descriptor, new ones are made with
 * O_CREAT|O_EXCL in the pinned directory, missing parents are made one by one in pinned
 * directories.
 *
 * Without /proc/self/fd (macOS), the path is opened with O_NOFOLLOW and the descriptor's
 * device and inode must then match the file at the path's re-resolved real path, inside a
 * root. That narrows the race but cannot close it: a link swapped in for the open and out
 * again before the check goes unseen, so there a racing local user can still make a tool
 * read or write a file outside; and missing parent directories are made by path first and
 * checked after, ls lists by path.
 *
 * A link as the last part of the path is never followed here: the tool service has already
 * followed it (its target must be inside a root) and hands over the target's real path; a
 * link found there now was swapped in since, and fails with ELOOP.
 */

const PROC_FD = '/proc/self/fd'
let procFd: Promise<boolean> | undefined

/** Whether /proc/self/fd names each descriptor's real path (checked once, on `/`) */
export async function hasProcFd (): Promise<boolean> {
  procFd ??= (async () => {
    const dir = await open('/', constants.O_RDONLY | constants.O_DIRECTORY)
    try {
      return await readlink(`${PROC_FD}/${dir.fd}`) === '/'
    } catch {
      return false
    } finally {
      await dir.close()
    }
  })()
  return await procFd
}

/** Force the portable fallback (tests of the path taken on systems without /proc/self/fd) */
export function useProcFd (available: boolean | undefined): void {
  procFd = available == null ? undefined : Promise.resolve(available)
}

function pinned (handle: FileHandle, name?: string): string {
  return name == null ? `${PROC_FD}/${handle.fd}` : `${PROC_FD}/${handle.fd}/${name}`
}

/** The refusal of a path that passed the tool service's check but led elsewhere when opened */
function changedError (path: string, refusal: string): ToolError {
  return new ToolError('denied', `${path} changed while being opened and now ${refusal}`)
}

function check (area: ConfinedArea | undefined, path: string, real: string): void {
  const refusal = area?.refusal(real)
  if (refusal != null) throw changedError(path, refusal)
}

async function checkDescriptor (area: ConfinedArea | undefined, path: string, handle: FileHandle): Promise<void> {
  if (area != null) check(area, path, await readlink(pinned(handle)))
}

async function closeAfter<T> (handle: FileHandle, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    await handle.close()
    throw err
  }
}

/** The parent directory of `path`, opened and checked to be inside a root (or `path` to be a root) */
async function openParent (path: string, area: ConfinedArea | undefined): Promise<FileHandle> {
  const dir = await open(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY)
  return await closeAfter(dir, async () => {
    if (area == null) return dir
    const real = await readlink(pinned(dir))
    const target = `${real === '/' ? '' : real}/${basename(path)}`
    if (!area.isRoot(target)) check(area, path, target)
    return dir
  })
}

/**
 * The portable check: the descriptor is the file found at the path's real path, inside a root,
 * and the path resolves the same after that look. Path lookups only: this narrows the race,
 * it cannot close it (a link swapped in and out again between the lookups goes unseen).
 */
async function checkByIdentity (area: ConfinedArea | undefined, path: string, handle: FileHandle): Promise<void> {
  if (area == null) return
  const changed = new ToolError('denied', `${path} changed while being opened; try again`)
  const opened = await handle.stat({ bigint: true })
  const real = await realpath(path).catch(() => null)
  if (real == null) throw changed
  check(area, path, real)
  const there = await lstat(real, { bigint: true }).catch(() => null)
  const again = await realpath(path).catch(() => null)
  if (there == null || there.dev !== opened.dev || there.ino !== opened.ino || again !== real) throw changed
}

/**
 * Open `path` (absolute, or from the working directory) with `flags` plus O_NOFOLLOW, only if
 * what gets opened lies inside `roots`; without `roots`, just the open.
 */
export async function openConfined (path: string, flags: number, roots?: FileRoots, mode?: number): Promise<FileHandle> {
  const absolute = resolve(path)
  const area = await roots?.area()
  if (!(await hasProcFd())) {
    const handle = await open(absolute, flags | constants.O_NOFOLLOW, mode)
    return await closeAfter(handle, async () => { await checkByIdentity(area, path, handle); return handle })
  }
  const dir = await openParent(absolute, area)
  try {
    const handle = await open(pinned(dir, basename(absolute)), flags | constants.O_NOFOLLOW, mode)
    return await closeAfter(handle, async () => { await checkDescriptor(area, path, handle); return handle })
  } finally {
    await dir.close()
  }
}

/** `mkdir -p` of `path` where every directory made is made inside a checked, pinned directory */
export async function makeDirectoriesConfined (path: string, roots?: FileRoots): Promise<void> {
  const absolute = resolve(path)
  if (!(await hasProcFd())) {
    await mkdir(absolute, { recursive: true })
    check(await roots?.area(), path, await realpath(absolute))
    return
  }
  const missing: string[] = []
  let existing = absolute
  let dir: FileHandle
  for (;;) {
    try {
      dir = await open(existing, constants.O_RDONLY | constants.O_DIRECTORY)
      break
    } catch (err: any) {
      if (err?.code !== 'ENOENT' || dirname(existing) === existing) throw err
      missing.unshift(basename(existing))
      existing = dirname(existing)
    }
  }
  try {
    if (missing.length === 0) return
    await checkDescriptor(await roots?.area(), path, dir)
    for (const name of missing) {
      await mkdir(pinned(dir, name)).catch((err: any) => { if (err?.code !== 'EEXIST') throw err })
      const next = await open(pinned(dir, name), constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW)
      await dir.close()
      dir = next
    }
  } finally {
    await dir.close()
  }
}

/**
 * Replace (or create with `mode`) the file at `path` with `data`, without following a link at
 * its name and without creating or truncating anything outside `roots`.
 */
export async function writeFileConfined (path: string, data: Uint8Array, roots?: FileRoots, mode = 0o644): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_NONBLOCK
  let file: FileHandle | undefined
  for (let attempt = 0; file == null; attempt++) {
    try {
      file = await openConfined(path, flags, roots)
    } catch (err: any) {
      if (err?.code !== 'ENOENT') throw err
      try {
        file = await openConfined(path, flags | constants.O_CREAT | constants.O_EXCL, roots, mode)
      } catch (err: any) {
        // made by someone else between the two opens: open it as an existing file
        if (err?.code !== 'EEXIST') throw err
        // and gone again, and back, each time: the directory is being swapped under the call
        if (attempt === 2) throw new ToolError('denied', `${path} changed while being opened; try again`)
      }
    }
  }
  try {
    await file.truncate(0)
    await file.writeFile(data)
  } finally {
    await file.close()
  }
}

/** A directory opened for listing inside `roots`; close the answer's handle after reading `dir` */
export async function openDirConfined (path: string, roots?: FileRoots): Promise<{ dir: Dir, handle: FileHandle }> {
  const handle = await openConfined(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NONBLOCK, roots)
  return await closeAfter(handle, async () => {
    if (await hasProcFd()) return { dir: await opendir(pinned(handle)), handle }
    // the fallback can only list by path: check again that the path is still the opened directory
    const dir = await opendir(resolve(path))
    await checkByIdentity(await roots?.area(), path, handle).catch(async err => { await dir.close(); throw err })
    return { dir, handle }
  })
}
