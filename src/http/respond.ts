import { ClawMatrixError } from '../errors/clawmatrix-error.js'
import { openAIErrorBody, openAIErrorType } from '../errors/openai-error.js'
import type { OpenAIErrorBody } from '../errors/openai-error.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** An OpenAI-shaped error body: `{ error: { message, type, code } }` */
export type ApiErrorBody = OpenAIErrorBody

/**
 * The `type` an HTTP error body has always had for its status: OpenAI's, except that a 403 (the
 * tool and handoff routes' refusals) says `invalid_request_error`
 */
function httpErrorType (status: number): string {
  return status === 403 ? 'invalid_request_error' : openAIErrorType(status)
}

/** An error the HTTP API answers with its status and an OpenAI-shaped body */
export class HttpError extends ClawMatrixError {
  static override readonly name = 'HttpError'
  override readonly name = 'HttpError'

  /** `headers` go out with the error (e.g. `retry-after` on a 429) */
  constructor (readonly status: number, code: string, message: string, readonly type = httpErrorType(status), readonly headers: Record<string, string> = {}) {
    super(code, message)
  }

  body (): ApiErrorBody {
    return openAIErrorBody(this.status, this.code, this.message, { type: this.type })
  }
}

export function sendJson (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value)
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

export function sendError (res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy(err)
    return
  }
  sendJson(res, err.status, err.body(), err.headers)
}

/** Read a request body up to `maxBytes`; 413 beyond it */
export async function readBody (req: IncomingMessage, maxBytes: number): Promise<Buffer<ArrayBuffer>> {
  const declared = Number(req.headers['content-length'] ?? NaN)
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new HttpError(413, 'request_too_large', `request body of ${declared} bytes is over the limit of ${maxBytes} bytes`)
  }
  // events rather than `for await`: the stream's async iterator costs a small request more than its parsing
  return await new Promise<Buffer<ArrayBuffer>>((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const stop = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onFailure)
      req.off('close', onClose)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > maxBytes) {
        stop()
        // the rest is read and dropped, so the 413 still reaches the client
        req.resume()
        reject(new HttpError(413, 'request_too_large', `request body is over the limit of ${maxBytes} bytes`))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => {
      stop()
      // socket data never lives in a SharedArrayBuffer
      resolve((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)) as Buffer<ArrayBuffer>)
    }
    const onFailure = (err: Error): void => {
      stop()
      reject(err)
    }
    const onClose = (): void => { onFailure(new Error('the client closed the connection before the request body ended')) }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onFailure)
    req.on('close', onClose)
  })
}

/** Read and parse a JSON object body; 400 naming the problem otherwise */
export async function readJsonObject (req: IncomingMessage, maxBytes: number): Promise<{ raw: Buffer<ArrayBuffer>, value: Record<string, unknown> }> {
  const raw = await readBody(req, maxBytes)
  let value: unknown
  try {
    value = JSON.parse(raw.toString('utf8'))
  } catch (err: any) {
    throw new HttpError(400, 'invalid_json', `request body is not valid JSON: ${String(err.message)}`)
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, 'invalid_json', 'request body must be a JSON object')
  }
  return { raw, value: value as Record<string, unknown> }
}
