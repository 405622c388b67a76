import { answerObserver } from '../../translate/native-call.js'
import { watchRefusals } from '../../translate/refusal-event.js'
import { hostStreamSimple } from '../sdk.js'
import type { ModelLayer } from '../../translate/native-call.js'

/** Native calls through the OpenClaw gateway's own model layer */
export async function hostModelLayer (): Promise<ModelLayer> {
  const streamSimple = await hostStreamSimple()
  return {
    start (model, context, options) {
      const { answer, onResponse } = answerObserver()
      return { events: watchRefusals(streamSimple(model, context, { ...options, onResponse }), answer), answer }
    }
  }
}
