import { createServer } from 'node:net'
import { freePort as anyFreePort } from '../../../src/cli/free-port.js'

/** Each gateway derives ports up to base + 110 from its own */
export const GATEWAY_PORT_SPAN = 120

async function listenable (port: number): Promise<boolean> {
  return await new Promise(resolve => {
    const server = createServer()
    server.once('error', () => { resolve(false) })
    server.listen(port, '127.0.0.1', () => { server.close(() => { resolve(true) }) })
  })
}

/** A free port outside every taken range */
export async function freePort (taken: Array<[number, number]>): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await anyFreePort()
    if (!taken.some(([from, to]) => port >= from && port <= to)) return port
  }
  throw new Error('no free port found outside the gateways\' ranges')
}

/** A gateway base port whose whole derived range is clear of the taken ranges and free at its base */
export async function freeGatewayPort (taken: Array<[number, number]>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000)
    const range: [number, number] = [base, base + GATEWAY_PORT_SPAN]
    if (taken.some(([from, to]) => range[0] <= to && from <= range[1])) continue
    if (await listenable(base) && await listenable(base + 1)) return base
  }
  throw new Error('no free gateway port range found')
}
