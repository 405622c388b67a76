/**
 * Tell the model who it is, as the original proxy did: `[Model: <description>]` goes in front of
 * a leading system message with text content, or in a new system message of its own.
 */
export function withIdentityNote<T extends { messages: unknown[] }> (request: T, description: string): T {
  const note = `[Model: ${description}]`
  const [first, ...rest] = request.messages as Array<Record<string, unknown>>
  if (first?.role === 'system' && typeof first.content === 'string') {
    return { ...request, messages: [{ ...first, content: `${note}\n${first.content}` }, ...rest] }
  }
  return { ...request, messages: [{ role: 'system', content: note }, ...request.messages] }
}
