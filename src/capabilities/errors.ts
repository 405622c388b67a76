import { ClawMatrixError } from '../errors/clawmatrix-error.js'

/**
 * The capabilities plane's error codes. Nothing here reaches HTTP (a refused record is counted
 * in `rejectedRecords`, a failed state exchange is logged), so there is no status table.
 */
export type CapabilitiesErrorCode =
  /** a record that did not open: `reason` says which check */
  | 'invalid_record'
  /** a state exchange whose remote sent more than its one batch, or did not close in time */
  | 'sync_stream'

/** A record that failed to open; `reason` says which check */
export class InvalidRecordError extends ClawMatrixError<'invalid_record'> {
  static override readonly name: string = 'InvalidRecordError'
  override readonly name: string = 'InvalidRecordError'

  constructor (readonly reason: 'malformed' | 'signature', message: string) {
    super('invalid_record', message)
  }
}

/** The remote sent more than its one batch, or did not close its side in time */
export class SyncStreamError extends ClawMatrixError<'sync_stream'> {
  static override readonly name: string = 'SyncStreamError'
  override readonly name: string = 'SyncStreamError'

  constructor (message: string) {
    super('sync_stream', message)
  }
}
