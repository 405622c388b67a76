/**
 * REPLACEMENT of @libp2p/pnet 3.0.27's `preSharedKey` (pinned exactly in package.json; a dev
 * dependency, for the interop tests), wire-compatible with it, on @noble/ciphers 2.4.0 (pinned
 * exactly; see xsalsa20-stream.ts). Written up in docs/upstream/libp2p-pnet.md and xsalsa20.md.
 *
 * Upstream issue it would file: "A node with `preSharedKey` dies after a few thousand
 * connections: `BoxMessageStream` never calls `finalize()` on its two `xsalsa20` ciphers, whose
 * 64-byte slots in one shared WebAssembly memory are then never freed, and a cipher holding a
 * stale view of that memory grows it again by its whole size, until `Memory.grow()` throws in a
 * `message` listener. Also, `protect()` applies `init.timeout` only when no options are passed,
 * and libp2p always passes them. Proposed: finalize both ciphers when the stream ends (or use a
 * cipher without shared state) and apply `timeout` under the given signal."
 *
 * Remove (use `preSharedKey` again) when a released @libp2p/pnet frees its ciphers, never grows
 * the shared memory from a stale view and applies `timeout` under libp2p's signal, and
 * test/resilience/pnet-churn.test.ts passes with it; test/mesh/patches-interop.test.ts and
 * test/mesh/psk-protector.test.ts check this protector against a stock `preSharedKey` node.
 */
import { InvalidParametersError } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { AbstractMultiaddrConnection, byteStream } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import { PSK_INBOUND_NONCE_TIMEOUT_MS, PSK_NONCE_TIMEOUT_MS, STALE_KEY_ABORT_MS } from '../constants.js'
import { XSalsa20Stream } from './xsalsa20-stream.js'
import type { AbortOptions, ConnectionProtector, Logger, MultiaddrConnection } from '@libp2p/interface'
import type { SendResult } from '@libp2p/utils'

const log = logger('clawmatrix:mesh:pnet')

export const PSK_NONCE_BYTES = 24
export const PSK_KEY_BYTES = 32

/** Where the protector reads the 32-byte key at each new connection (a `ClusterKey`) */
export interface KeySource {
  readonly key: Uint8Array
  /** `change`: the key was switched; connections on the old one are aborted after `staleKeyAbortMs` */
  addEventListener?: (type: 'change', listener: () => void) => void
}

export interface MeshPreSharedKeyInit {
  /**
   * the key file bytes: `/key/swarm/psk/1.0.0/\n/base16/\n<64 hex digits>` (see `pskFromSecret`),
   * or a `ClusterKey` holder whose current key each new connection uses
   */
  psk: Uint8Array | KeySource
  /** ms an outbound connection waits for the remote nonce (default PSK_NONCE_TIMEOUT_MS) */
  timeout?: number
  /** ms an inbound connection waits for the remote nonce (default PSK_INBOUND_NONCE_TIMEOUT_MS) */
  inboundTimeout?: number
  /** ms a connection on a key switched away from may live on (default STALE_KEY_ABORT_MS) */
  staleKeyAbortMs?: number
}

/** The 32-byte key in a v1 PSK file (the format `@libp2p/pnet` reads) */
export function decodePskFile (file: Uint8Array): Uint8Array {
  const [tag, codec, hex] = new TextDecoder().decode(file).split(/\r\n|\r|\n/)
  if (tag !== '/key/swarm/psk/1.0.0/' || codec !== '/base16/' || !/^[0-9a-fA-F]{64}$/.test(hex ?? '')) {
    throw new InvalidParametersError('invalid pre-shared key file: expected "/key/swarm/psk/1.0.0/", "/base16/" and 64 hex digits on three lines')
  }
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

interface BoxedConnectionInit {
  maConn: MultiaddrConnection
  key: Uint8Array
  localNonce: Uint8Array
  remoteNonce: Uint8Array
  log: Logger
}

/** The connection after the nonce exchange: every byte XORed with the XSalsa20 stream of its direction */
class BoxedConnection extends AbstractMultiaddrConnection {
  readonly key: Uint8Array
  private readonly maConn: MultiaddrConnection
  private readonly inbound: XSalsa20Stream
  private readonly outbound: XSalsa20Stream

  constructor (init: BoxedConnectionInit) {
    super({ log: init.log, remoteAddr: init.maConn.remoteAddr, direction: init.maConn.direction })
    this.maConn = init.maConn
    this.key = init.key
    this.inbound = new XSalsa20Stream(init.key, init.remoteNonce)
    this.outbound = new XSalsa20Stream(init.key, init.localNonce)
    this.maConn.addEventListener('message', (evt) => {
      const data = evt.data
      if (data instanceof Uint8Array) {
        this.onData(this.inbound.update(data))
      } else {
        for (const buf of data) this.onData(this.inbound.update(buf))
      }
    })
    this.maConn.addEventListener('drain', () => { this.onMuxerDrain() })
    this.maConn.addEventListener('close', (evt) => {
      if (evt.error != null) {
        if (evt.local) this.abort(evt.error)
        else this.onRemoteReset()
      } else {
        this.onTransportClosed()
      }
    })
  }

  async sendClose (options?: AbortOptions): Promise<void> {
    await this.maConn.close(options)
  }

  sendData (data: Uint8ArrayList): SendResult {
    const bufs = [...data]
    let out: Uint8Array
    if (bufs.length === 1) {
      out = this.outbound.update(bufs[0])
    } else {
      // one output for the whole list instead of joining the list first
      out = new Uint8Array(data.byteLength)
      let offset = 0
      for (const buf of bufs) {
        this.outbound.update(buf, out.subarray(offset, offset + buf.byteLength))
        offset += buf.byteLength
      }
    }
    return { sentBytes: data.byteLength, canSendMore: this.maConn.send(out) }
  }

  sendReset (err: Error): void {
    this.maConn.abort(err)
  }

  sendPause (): void {
    this.maConn.pause()
  }

  sendResume (): void {
    this.maConn.resume()
  }
}

class MeshPreSharedKeyProtector implements ConnectionProtector {
  private readonly keys: KeySource
  private readonly timeout: number
  private readonly inboundTimeout: number
  /** the open connections, while the key can change */
  private readonly open = new Set<BoxedConnection>()

  constructor (init: MeshPreSharedKeyInit) {
    this.keys = init.psk instanceof Uint8Array ? { key: decodePskFile(init.psk) } : init.psk
    this.timeout = init.timeout ?? PSK_NONCE_TIMEOUT_MS
    this.inboundTimeout = init.inboundTimeout ?? PSK_INBOUND_NONCE_TIMEOUT_MS
    const staleKeyAbortMs = init.staleKeyAbortMs ?? STALE_KEY_ABORT_MS
    this.keys.addEventListener?.('change', () => {
      const timer = setTimeout(() => { this.abortStale() }, staleKeyAbortMs)
      timer.unref()
    })
  }

  /** end every connection still on a key other than the current one */
  private abortStale (): void {
    for (const connection of this.open) {
      if (connection.key !== this.keys.key) connection.abort(new Error('the cluster key was switched'))
    }
  }

  readonly [Symbol.toStringTag] = 'clawmatrix:pnet'

  async protect (connection: MultiaddrConnection, options: AbortOptions = {}): Promise<MultiaddrConnection> {
    if (connection == null) throw new InvalidParametersError('No connection for the handshake provided')
    // read once: a connection keeps the key it started with when the key is switched meanwhile
    const key = this.keys.key
    const deadline = AbortSignal.timeout(connection.direction === 'inbound' ? this.inboundTimeout : this.timeout)
    const signal = options.signal != null ? AbortSignal.any([options.signal, deadline]) : deadline
    const localNonce = crypto.getRandomValues(new Uint8Array(PSK_NONCE_BYTES))
    const bytes = byteStream(connection)
    const [remote] = await Promise.all([
      bytes.read({ bytes: PSK_NONCE_BYTES, signal }),
      bytes.write(localNonce, { signal })
    ])
    log('exchanged nonces with %a', connection.remoteAddr)
    // the boxed connection keeps libp2p's per-connection log, as the stock protector's does
    const boxed = new BoxedConnection({ maConn: bytes.unwrap(), key, localNonce, remoteNonce: remote.subarray(), log: connection.log.newScope('pnet') })
    if (this.keys.addEventListener != null) {
      this.open.add(boxed)
      boxed.addEventListener('close', () => { this.open.delete(boxed) }, { once: true })
    }
    return boxed
  }
}

/**
 * libp2p's private network (the `@libp2p/pnet` wire format: a 24-byte nonce each way, then every
 * byte XORed with XSalsa20 keyed by the PSK), so it interoperates with `preSharedKey()` nodes.
 * Its ciphers are plain JavaScript with no shared state, so a node can open any number of
 * connections over its life (`@libp2p/pnet` keeps two slots in one WebAssembly memory per
 * connection for good, and dies after a few thousand: see docs/upstream/libp2p-pnet.md). An
 * inbound connection gets a short deadline for the dialer's nonce.
 */
export function meshPreSharedKey (init: MeshPreSharedKeyInit): () => ConnectionProtector {
  return () => new MeshPreSharedKeyProtector(init)
}
