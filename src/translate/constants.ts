/** largest image an `image_url` URL may return (data URIs are bounded by the request size) */
export const MAX_IMAGE_URL_BYTES = 20 * 1024 * 1024
/** ms an `image_url` URL has to answer in full */
export const IMAGE_URL_TIMEOUT_MS = 15_000
/** output tokens asked for when neither the request nor `models[].maxTokens` says (some APIs require a number) */
export const DEFAULT_MAX_TOKENS = 8192
/** bytes of a native error body kept to read its message */
export const MAX_ERROR_BODY_BYTES = 64 * 1024
/** characters of SSE text a translated stream gathers into one piece at most, though more events wait */
export const STREAM_PIECE_CHARS = 16 * 1024
