/**
 * PATCH of libp2p 3.3.11's registrar (`getMiddleware`), through its public interface only.
 *
 * Upstream issue it would file: "`Connection.onIncomingStream` pushes the protocol handler onto
 * the array `registrar.getMiddleware(protocol)` returns, and the registrar returns the array it
 * stores for `libp2p.use(protocol, …)`. Once middleware is registered for a protocol, every
 * inbound stream adds one more handler to it for good: the second stream runs the first stream's
 * handler before its own (the handler runs twice on one stream), the list grows without bound.
 * Proposed: `getMiddleware` returns a copy, or `onIncomingStream` builds a new array."
 *
 * The wrapped `getMiddleware` returns a copy of the stored list, so the push lands on a
 * throw-away array. Remove when a released libp2p copies the list itself (the stock-registrar
 * test in test/membership/stream-gate.test.ts then fails).
 */
import type { Registrar } from '@libp2p/interface-internal'

const patched = new WeakSet<Registrar>()

/** make `registrar.getMiddleware` hand out copies; idempotent */
export function copyMiddlewareOnRead (registrar: Registrar): void {
  if (patched.has(registrar)) return
  const getMiddleware = registrar.getMiddleware.bind(registrar)
  registrar.getMiddleware = (protocol: string) => [...getMiddleware(protocol)]
  patched.add(registrar)
}
