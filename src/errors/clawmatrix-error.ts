/**
 * The one base of every error the planes raise, in the manner of `@libp2p/interface`'s errors:
 * a `static name` to test with (`err.name === ModelNotFoundError.name`), a `code` that travels
 * on the wire and reaches HTTP and CLI users unchanged, and `retryable`: whether another node
 * (or a later try) may succeed where this one failed. Each plane's codes, and the HTTP status of
 * each, live in its own `errors.ts`.
 */
export class ClawMatrixError<Code extends string = string> extends Error {
  static override readonly name: string = 'ClawMatrixError'
  override readonly name: string = 'ClawMatrixError'

  constructor (readonly code: Code, message: string, options?: ErrorOptions) {
    super(message, options)
  }

  /** another node, or a later try, may succeed */
  get retryable (): boolean {
    return false
  }
}
