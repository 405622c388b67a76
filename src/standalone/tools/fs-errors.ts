import { ToolError } from '../../tool/errors.js'

/** A file system error as a ToolError that names the path */
export function fsToolError (err: any, path: string): ToolError {
  switch (err?.code) {
    case 'ENOENT':
      return new ToolError('not_found', `no such file or directory: ${path}`)
    case 'EISDIR':
      return new ToolError('bad_arguments', `${path} is a directory`)
    case 'ENOTDIR':
      return new ToolError('bad_arguments', `a part of ${path} is not a directory`)
    case 'ELOOP':
      return new ToolError('denied', `${path} is a symbolic link; file tools do not follow links`)
    case 'EACCES':
    case 'EPERM':
      return new ToolError('denied', `permission denied: ${path}`)
    default:
      return new ToolError('failed', `${path}: ${String(err?.message ?? err)}`)
  }
}
