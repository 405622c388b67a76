import { ClawMatrixError } from '../errors/clawmatrix-error.js'

/**
 * A request the translation cannot carry to the upstream: answered as an OpenAI error with this
 * status (400), naming the field.
 */
export class TranslationError extends ClawMatrixError<'invalid_request'> {
  static override readonly name = 'TranslationError'
  override readonly name = 'TranslationError'

  constructor (message: string, readonly param: string, readonly status = 400) {
    super('invalid_request', message)
  }
}
