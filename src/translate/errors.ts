/**
 * A request the translation cannot carry to the upstream: answered as an OpenAI error with this
 * status (400), naming the field.
 */
export class TranslationError extends Error {
  override readonly name = 'TranslationError'
  constructor (message: string, readonly param: string, readonly status = 400) {
    super(message)
  }
}
