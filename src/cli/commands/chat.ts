import { once } from 'node:events'
import { InvalidArgumentError } from 'commander'
import { sseData } from '../../model/sse.js'
import { apiClientFromOptions, remoteErrorFrom, reportRemoteError } from '../api-client.js'
import { terminalSafeProse } from '../terminal-text.js'
import type { Command } from 'commander'

interface ChatOptions {
  system?: string
  maxTokens?: number
}

function positiveInt (value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number')
  return n
}

async function writeOut (text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain')
}

/** The text a stream chunk adds: `content`, or `reasoning_content` when content is empty (reasoning models) */
function deltaText (chunk: any): string {
  const delta = chunk?.choices?.[0]?.delta
  if (typeof delta?.content === 'string' && delta.content !== '') return delta.content
  return typeof delta?.reasoning_content === 'string' ? delta.reasoning_content : ''
}

/** an SSE event's data as JSON, or undefined when it is not JSON */
function parseEvent (data: string): any {
  try {
    return JSON.parse(data)
  } catch {
    return undefined
  }
}

/** the start of `text`, for an error message */
function excerpt (text: string, chars = 80): string {
  return text.length > chars ? `${text.slice(0, chars)}...` : text
}

export function registerChatCommand (program: Command): void {
  program.command('chat')
    .description('ask a model in the mesh and print its answer as it streams')
    .argument('<model>', '<modelId> or <nodeId>/<modelId>')
    .argument('<prompt>', 'the user message (put -- before a prompt that starts with -)')
    .option('--system <text>', 'a system message to send first')
    .option('--max-tokens <n>', 'limit the answer\'s length', positiveInt)
    .action(async (model: string, prompt: string, opts: ChatOptions, cmd: Command) => {
      const api = await apiClientFromOptions(cmd.optsWithGlobals())
      // Ctrl-C ends the request, and the node stops the upstream
      const interrupted = new AbortController()
      const onInterrupt = (): void => { interrupted.abort() }
      process.once('SIGINT', onInterrupt)
      const messages = [...(opts.system != null ? [{ role: 'system', content: opts.system }] : []), { role: 'user', content: prompt }]
      let wrote = false
      try {
        const res = await api.request('POST', '/v1/chat/completions', {
          signal: interrupted.signal,
          body: { model, messages, stream: true, ...(opts.maxTokens != null ? { max_tokens: opts.maxTokens } : {}) }
        })
        if (!res.ok || res.body == null) {
          const err = await remoteErrorFrom(res)
          reportRemoteError(err.code, err.message)
          return
        }
        let done = false
        for await (const data of sseData(res.body)) {
          done = data === '[DONE]'
          if (done) break
          const chunk = parseEvent(data)
          if (chunk === undefined) {
            if (wrote) await writeOut('\n')
            reportRemoteError('bad_event', `the answer broke off: the node sent an event that is not JSON (${excerpt(data)})`)
            return
          }
          if (chunk?.error != null) {
            if (wrote) await writeOut('\n')
            reportRemoteError(String(chunk.error.code ?? 'model_error'), String(chunk.error.message ?? 'the answer broke off'))
            return
          }
          const text = deltaText(chunk)
          if (text !== '') {
            // the answer is text for a person: newlines and tabs stay, what a terminal would act on shows
            await writeOut(terminalSafeProse(text))
            wrote = true
          }
        }
        if (wrote) await writeOut('\n')
        if (!done) reportRemoteError('answer_interrupted', 'the answer ended before it was complete')
      } catch (err: any) {
        if (!interrupted.signal.aborted) throw err
        if (wrote) await writeOut('\n')
        reportRemoteError('cancelled', 'interrupted')
        process.exitCode = 130
      } finally {
        process.off('SIGINT', onInterrupt)
      }
    })
}
