import { lookup } from 'node:dns'
import { BlockList, isIP } from 'node:net'
import { IMAGE_URL_TIMEOUT_MS, MAX_IMAGE_URL_BYTES } from './constants.js'
import { TranslationError } from './errors.js'
import type { ImageContent } from '@openclaw/ai'
import type { LookupFunction } from 'node:net'

/** Where a request's `image_url` parts come from */
export interface ImageSource {
  load(url: unknown, param: string): Promise<ImageContent>
}

const DATA_URI = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]*)$/i

/**
 * Addresses an image URL may never reach: loopback, private, link-local, shared, multicast and
 * unspecified ranges. IPv4-mapped IPv6 addresses are checked against the IPv4 list (BlockList
 * maps them); the two lists stay apart so that a mapped-range entry cannot swallow all of IPv4.
 */
const CLOSED_V4 = new BlockList()
const CLOSED_V6 = new BlockList()
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 3]] as const) CLOSED_V4.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) CLOSED_V6.addSubnet(net, prefix, 'ipv6')

export function isClosedAddress (address: string): boolean {
  const family = isIP(address)
  if (family === 0) return true
  if (family === 4) return CLOSED_V4.check(address, 'ipv4')
  return CLOSED_V6.check(address, 'ipv6') || CLOSED_V4.check(address, 'ipv6')
}

/** DNS lookup that refuses names resolving to a closed address (checked at connect time: no rebinding window) */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err != null) { callback(err, '', 0); return }
    const closed = addresses.find(a => isClosedAddress(a.address))
    if (closed != null) { callback(new Error(`${hostname} resolves to ${closed.address}, a loopback, private or link-local address`), '', 0); return }
    if ((options as { all?: boolean }).all === true) (callback as any)(null, addresses)
    else callback(null, addresses[0].address, addresses[0].family)
  })
}

function parseDataUri (url: string, param: string): ImageContent {
  const match = DATA_URI.exec(url)
  if (match == null) throw new TranslationError(`${param}: a data URI must be data:<image type>;base64,<data>`, param)
  return { type: 'image', mimeType: match[1].toLowerCase(), data: match[2].replace(/\s+/g, '') }
}

async function fetchImage (url: URL, param: string, signal: AbortSignal): Promise<ImageContent> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TranslationError(`${param}: only http(s) image URLs can be fetched`, param)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (isIP(host) !== 0 && isClosedAddress(host)) throw new TranslationError(`${param}: image URLs may not point at loopback, private or link-local addresses`, param)
  const { Agent, request } = await import('undici')
  const agent = new Agent({ connect: { lookup: guardedLookup }, headersTimeout: IMAGE_URL_TIMEOUT_MS, bodyTimeout: IMAGE_URL_TIMEOUT_MS })
  const timeout = AbortSignal.any([signal, AbortSignal.timeout(IMAGE_URL_TIMEOUT_MS)])
  try {
    const response = await request(url, { dispatcher: agent, signal: timeout })
    if (response.statusCode !== 200) {
      await response.body.dump()
      throw new TranslationError(`${param}: fetching the image answered HTTP ${response.statusCode}`, param)
    }
    const mimeType = String(response.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
    if (!mimeType.startsWith('image/')) {
      await response.body.dump()
      throw new TranslationError(`${param}: the URL did not answer with an image (content-type ${JSON.stringify(mimeType)})`, param)
    }
    const parts: Buffer[] = []
    let size = 0
    for await (const chunk of response.body) {
      size += chunk.byteLength
      if (size > MAX_IMAGE_URL_BYTES) {
        response.body.destroy()
        throw new TranslationError(`${param}: the image is larger than ${MAX_IMAGE_URL_BYTES} bytes`, param)
      }
      parts.push(chunk)
    }
    return { type: 'image', mimeType, data: Buffer.concat(parts).toString('base64') }
  } catch (err: any) {
    if (err instanceof TranslationError || signal.aborted) throw err
    throw new TranslationError(`${param}: fetching the image failed: ${String(err?.message ?? err)}`, param)
  } finally {
    await agent.close().catch(() => {})
  }
}

/**
 * `image_url` parts: data URIs always; http(s) URLs only when `allowImageUrls` is set, fetched
 * here (public addresses only, bounded in size and time) since not every upstream fetches URLs.
 */
export function imageSource (allowImageUrls: boolean, signal: AbortSignal): ImageSource {
  return {
    async load (url: unknown, param: string): Promise<ImageContent> {
      if (typeof url !== 'string' || url === '') throw new TranslationError(`${param} must be a URL or a data URI`, param)
      if (url.startsWith('data:')) return parseDataUri(url, param)
      if (!allowImageUrls) {
        throw new TranslationError(`${param}: image URLs are not fetched for this model (models[].upstream.allowImageUrls is off); send the image as a data URI`, param)
      }
      let parsed: URL
      try {
        parsed = new URL(url)
      } catch {
        throw new TranslationError(`${param} is not a valid URL`, param)
      }
      return await fetchImage(parsed, param, signal)
    }
  }
}
