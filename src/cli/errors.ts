/** The node's HTTP API did not answer */
export class NodeUnreachableError extends Error {
  override readonly name = 'NodeUnreachableError'
  constructor (host: string, port: number) {
    super(`Could not reach the ClawMatrix node at ${host}:${port}. Is it running?`)
  }
}

/** The node (or the node behind it) refused or failed: printed as `error [<code>]: <message>` */
export class RemoteError extends Error {
  override readonly name = 'RemoteError'
  constructor (readonly code: string, message: string) {
    super(message)
  }
}

/** Bad flags or arguments: exit 2 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
