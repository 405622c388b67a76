import { replies, startFakeUpstream } from '../../helpers/fake-upstream.js'
import { providerEntry } from './configs.js'
import type { FakeUpstream, ReceivedRequest, UpstreamReply } from '../../helpers/fake-upstream.js'

export type { FakeUpstream } from '../../helpers/fake-upstream.js'

export const FAKE_PROVIDER = 'fake'
export const FAKE_MODEL = 'fake-model'
export const FAKE_API_KEY = 'sk-fake-gateway-a'

/** Markers the test puts in prompts, so each answer can be tied to its question */
const MARKER = /MARK-[A-Za-z0-9]+/g

export function markersIn (request: ReceivedRequest): string[] {
  return JSON.stringify(request.body?.messages ?? []).match(MARKER) ?? []
}

/** The answer the fake model gives to a prompt holding `marker` */
export function answerFor (marker: string): string {
  return `fake-model saw ${marker}`
}

function reply (request: ReceivedRequest): UpstreamReply {
  const marker = markersIn(request).at(-1)
  const text = marker != null ? answerFor(marker) : 'fake-model here'
  if (request.body?.stream === true) return replies.textStream(text.split(/(?<= )/))
  return replies.answer(text)
}

/** The loopback OpenAI-compatible model behind gateway A: streams a short answer naming the prompt's marker */
export async function startFakeModel (): Promise<FakeUpstream> {
  return await startFakeUpstream(reply)
}

/** The `models.providers` entry for it in openclaw.json */
export function fakeProviderConfig (baseUrl: string): Record<string, unknown> {
  return providerEntry({ baseUrl, apiKey: FAKE_API_KEY, api: 'openai-completions', model: FAKE_MODEL, name: 'Fake' })
}
