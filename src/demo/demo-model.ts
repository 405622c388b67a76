import { SSE_DONE, chunk, completion, lastUserText, sseEvent, usage, usageChunk } from './completions.js'
import { startUpstreamServer } from './upstream-server.js'
import type { UpstreamReply, UpstreamServer } from './upstream-server.js'

/** The id under which the demo serves its built-in model */
export const DEMO_MODEL_ID = 'clawmatrix-demo'
/** pause between streamed words, so streaming is visible in a terminal */
const WORD_DELAY_MS = 40

function words (text: string): string[] {
  return text.split(/\s+/).filter(w => w !== '')
}

/** The demo's answer: the last user message echoed back, word by word */
export function demoAnswer (body: any): string {
  const said = lastUserText(body).trim()
  if (said === '') return 'Hello from the ClawMatrix demo model. Send a user message and I will echo it back.'
  return `You said: "${said}" - ${words(said).length} words, echoed back through the mesh by the ClawMatrix demo model.`
}

function reply (body: any): UpstreamReply {
  const who = { id: `chatcmpl-demo-${Date.now().toString(36)}`, model: DEMO_MODEL_ID, created: Math.floor(Date.now() / 1000) }
  const answer = demoAnswer(body)
  const tokens = usage(words(lastUserText(body)).length, words(answer).length)
  if (body?.stream !== true) return { chunks: [JSON.stringify(completion(who, { content: answer }, 'stop', tokens))] }
  const pieces = [sseEvent(chunk(who, { role: 'assistant', content: '' }))]
  words(answer).forEach((word, i) => pieces.push(sseEvent(chunk(who, { content: i === 0 ? word : ` ${word}` }))))
  pieces.push(sseEvent(chunk(who, {}, 'stop')))
  if (body?.stream_options?.include_usage === true) pieces.push(sseEvent(usageChunk(who, tokens)))
  pieces.push(SSE_DONE)
  return { contentType: 'text/event-stream', chunks: pieces, delayMs: WORD_DELAY_MS }
}

/**
 * A tiny deterministic OpenAI-compatible model on loopback, so the demo answers chat
 * completions without any API key. Configure it as a model's `upstream.baseUrl`.
 */
export async function startDemoModel (): Promise<UpstreamServer> {
  return await startUpstreamServer(request => reply(request.body))
}
