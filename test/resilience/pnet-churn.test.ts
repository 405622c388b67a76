import { generateKeyPair } from '@libp2p/crypto/keys'
import { byteStream, echo } from '@libp2p/utils'
import { createLibp2p } from 'libp2p'
import { afterAll, describe, expect, it } from 'vitest'
import { meshBaseServices, meshLibp2pOptions } from '../../src/mesh/libp2p-options.js'
import { startTestLibp2p, testPsk } from '../helpers/libp2p.js'
import type { Libp2p } from '@libp2p/interface'

/** `@libp2p/pnet` nodes died after about 5,100 connections over their life */
const CONNECTIONS = 5300
/** connections being opened at once */
const CONCURRENCY = 6
/** members that keep a connection to the listener and use it all along, as a hub's members do */
const MEMBERS = 16

const ECHO = '/clawmatrix-test/echo/1.0.0'

/** a round trip of 1 KiB through `from`'s connection to `to` */
async function exchange (from: Libp2p<any>, to: Libp2p<any>): Promise<void> {
  const signal = AbortSignal.timeout(10_000)
  const stream = await from.dialProtocol(to.peerId, ECHO, { signal })
  const bytes = byteStream(stream)
  const sent = crypto.getRandomValues(new Uint8Array(1024))
  const [, answer] = await Promise.all([bytes.write(sent, { signal }), bytes.read({ bytes: sent.length, signal })])
  expect(Buffer.from(answer.subarray()).equals(Buffer.from(sent))).toBe(true)
  await stream.close({ signal })
}

/** open a WebSocket, exchange pnet nonces with the listener, close */
async function nonceExchange (url: string): Promise<void> {
  const ws = new WebSocket(url)
  ws.binaryType = 'arraybuffer'
  try {
    await new Promise<void>((resolve, reject) => {
      let received = 0
      const timer = setTimeout(() => { reject(new Error('no nonce from the listener within 10 s')) }, 10_000)
      ws.addEventListener('open', () => { ws.send(crypto.getRandomValues(new Uint8Array(24))) })
      ws.addEventListener('message', (evt) => {
        received += (evt.data as ArrayBuffer).byteLength
        if (received >= 24) {
          clearTimeout(timer)
          resolve()
        }
      })
      ws.addEventListener('error', () => { clearTimeout(timer); reject(new Error('WebSocket error')) })
      ws.addEventListener('close', () => { clearTimeout(timer); reject(new Error('closed before the nonce')) })
    })
  } finally {
    ws.close()
  }
}

/** a listening node like a hub, without the per-host rate limit (all dials here come from 127.0.0.1) */
async function startListener (): Promise<Libp2p<any>> {
  const options = meshLibp2pOptions({ privateKey: await generateKeyPair('Ed25519'), psk: await testPsk(), listen: true, listenHost: '127.0.0.1', listenPort: 0 }, meshBaseServices({ listen: true }))
  const node = await createLibp2p({ ...options, connectionManager: { ...options.connectionManager, inboundConnectionThreshold: Number.POSITIVE_INFINITY } })
  await node.handle(ECHO, async (stream) => { await echo(stream) })
  return node
}

describe('connection churn on a listening node', () => {
  const nodes: Array<Libp2p<any>> = []
  afterAll(async () => { await Promise.all(nodes.map(async n => { await n.stop() })) })

  it(`takes ${CONNECTIONS} connections over its life and stays alive and dialable`, async () => {
    const listener = await startListener()
    nodes.push(listener)
    const addr = listener.getMultiaddrs()[0]
    const members = await Promise.all(Array.from({ length: MEMBERS }, async () => await startTestLibp2p({ listen: false })))
    nodes.push(...members)
    await Promise.all(members.map(async m => await m.dial(addr)))
    // the members' connections carry traffic all along
    const membersTalk = async (): Promise<void> => { await Promise.all(members.map(async m => { await exchange(m, listener) })) }
    const churner = await startTestLibp2p({ listen: false })
    nodes.push(churner)

    // Most connections stop after the pnet nonce exchange (the listener has built its ciphers by
    // then) to keep the test fast; every 250th is a full libp2p connection.
    const wsUrl = `ws://127.0.0.1:${addr.getComponents().find(c => c.name === 'tcp')?.value ?? ''}`
    let accepted = 0
    listener.addEventListener('connection:open', () => { accepted++ })
    let protectedCount = 0
    const startedAt = Date.now()
    let next = 0
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < CONNECTIONS) {
        const n = ++next
        if (n % 250 === 0) {
          const conn = await churner.dial(addr, { force: true, signal: AbortSignal.timeout(20_000) })
          await exchange(churner, listener)
          // the listener may have closed it first (a duplicate connection to one peer)
          await conn.close().catch((err: Error) => { conn.abort(err) })
          await membersTalk()
        } else {
          await nonceExchange(wsUrl)
        }
        protectedCount++
      }
    }))
    const seconds = (Date.now() - startedAt) / 1000
    console.log(`${protectedCount} connections (${accepted} of them fully upgraded) in ${seconds.toFixed(1)} s (${(protectedCount / seconds).toFixed(0)}/s)`)
    expect(protectedCount).toBeGreaterThanOrEqual(CONNECTIONS)

    // the old connections still work, and a new node still gets in
    await membersTalk()
    const late = await startTestLibp2p({ listen: false })
    nodes.push(late)
    await late.dial(addr, { signal: AbortSignal.timeout(10_000) })
    await exchange(late, listener)
  })
})
