import { describe, expect, it } from 'vitest'
import { checkChatRequest } from '../../src/model/caller.js'
import { InvalidChatRequestError } from '../../src/model/errors.js'

const messages = [{ role: 'user', content: 'hi' }]

function refusal (request: Record<string, unknown>): string {
  try {
    checkChatRequest(request)
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidChatRequestError)
    return (err as Error).message
  }
  throw new Error(`accepted ${JSON.stringify(request)}`)
}

describe('chat request check', () => {
  it('passes a request that follows the rules on as it is, whatever else it holds', () => {
    for (const stream of [true, false, null, undefined]) {
      const request = { model: 'm', messages, stream, temperature: 0.2, tools: [] }
      expect(checkChatRequest(request)).toBe(request)
    }
  })

  it('refuses each broken rule with a message naming its field', () => {
    expect(refusal({ messages })).toMatch(/^model: required/)
    expect(refusal({ model: '', messages })).toMatch(/^model: required/)
    expect(refusal({ model: 5, messages })).toMatch(/^model: required/)
    expect(refusal({ model: 'm' })).toMatch(/^messages: required/)
    expect(refusal({ model: 'm', messages: [] })).toMatch(/^messages: required/)
    expect(refusal({ model: 'm', messages: 'hi' })).toMatch(/^messages: required/)
    for (const entry of [null, 1, 'hi', []]) expect(refusal({ model: 'm', messages: [...messages, entry] })).toBe('messages: every entry must be an object with a role')
    expect(refusal({ model: 'm', messages, stream: 'yes' })).toBe('stream: must be true or false')
  })
})
