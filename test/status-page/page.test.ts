import { afterEach, describe, expect, it } from 'vitest'
import { removeTempDirs, startNode } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { TestNode } from '../helpers/mesh.js'

/** The server-rendered page (what a browser without JavaScript shows) against real nodes */

const nodes: TestNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map(async n => { await n.stop() }))
  await removeTempDirs()
})

async function node (...args: Parameters<typeof startNode>): Promise<TestNode> {
  const n = await startNode(...args)
  nodes.push(n)
  return n
}

/** the page's nodes table as the server renders it: each row's cells by class, in order */
async function renderedRows (n: TestNode): Promise<Array<Record<string, string>>> {
  const res = await fetch(`http://127.0.0.1:${n.api.port}/clawmatrix/`, { headers: { authorization: `Bearer ${n.tokens.apiToken}` } })
  expect(res.status).toBe(200)
  const html = await res.text()
  const table = html.slice(html.indexOf('<table id="nodes">'), html.indexOf('</table>', html.indexOf('<table id="nodes">')))
  return [...table.matchAll(/<tr data-node[^>]*>(.*?)<\/tr>/g)].map(m => Object.fromEntries(
    [...m[1].matchAll(/<td class="([^"]+)"[^>]*>(.*?)<\/td>/g)].map(c => [c[1], c[2].replace(/<[^>]+>/g, '')])
  ))
}

describe('the server-rendered status page', () => {
  it('lists this node first, then each peer with its path, and names a node id two peers claim', async () => {
    const hub = await node({ nodeId: 'hub', listen: true, tags: ['public'] })
    await node({ nodeId: 'twin', agents: [{ id: 'x' }], peers: [{ url: hub.dialAddr }] })
    await node({ nodeId: 'twin', agents: [{ id: 'x' }], peers: [{ url: hub.dialAddr }] })
    await node({ nodeId: 'solo', tags: ['lab', 'gpu'], peers: [{ url: hub.dialAddr }] })
    await waitFor('the hub to see all three', () => hub.peers().filter(p => p.reachable).length === 3)
    const rows = await renderedRows(hub)
    expect(rows.map(r => [r.node, r.path])).toEqual([
      ['hub', 'this node'],
      ['solo', 'direct'],
      ['twin', 'direct · conflict'],
      ['twin', 'direct · conflict']
    ])
    expect(rows[0]).toMatchObject({ tags: 'public', tools: 'off', latency: '-' })
    expect(rows[1]).toMatchObject({ tags: 'lab, gpu', agents: '-' })
    expect(rows[2].agents).toBe('x')
  })
})
