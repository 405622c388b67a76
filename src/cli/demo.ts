import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEMO_MODEL_ID, startDemoModel } from '../demo/demo-model.js'
import { createClawMatrix } from '../node/clawmatrix.js'
import { formatPeers } from './format-status.js'
import { freePort } from './free-port.js'
import { stopOnSignal } from './commands/start.js'
import type { ConfigInput } from '../config/schema.js'
import type { ClawMatrixNode } from '../node/clawmatrix.js'
import type { CapabilityRecord } from '../capabilities/types.js'

const MESH_FORM_TIMEOUT_MS = 30_000
const DEMO_AGENT = fileURLToPath(new URL('../demo/demo-agent.js', import.meta.url))

function say (line: string): void {
  process.stdout.write(line + '\n')
}

async function meshFormed (nodes: ClawMatrixNode[]): Promise<void> {
  const deadline = Date.now() + MESH_FORM_TIMEOUT_MS
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (nodes.every(n => n.peers().filter(p => p.reachable).length === nodes.length - 1)) {
        clearInterval(timer)
        resolve()
      } else if (Date.now() > deadline) {
        clearInterval(timer)
        reject(new Error(`the demo mesh did not form within ${MESH_FORM_TIMEOUT_MS / 1000} s`))
      }
    }
    const timer = setInterval(check, 50)
  })
}

/**
 * Three nodes on 127.0.0.1: a listening hub and two nodes that only dial out, with a fresh
 * random secret. Config files are written so the CLI can talk to each node.
 */
export async function runDemo (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'clawmatrix-demo-'))
  const secret = randomBytes(18).toString('base64url')
  const hubPort = await freePort()
  const demoModel = await startDemoModel()
  const base: ConfigInput = { secret, listenHost: '127.0.0.1', toolProxy: { enabled: false } }
  const configs: Record<string, ConfigInput> = {
    hub: { ...base, nodeId: 'hub', listen: true, listenPort: hubPort, tags: ['public'], proxyPort: await freePort() },
    home: { ...base, nodeId: 'home', tags: ['home'], proxyPort: await freePort() },
    office: {
      ...base,
      nodeId: 'office',
      tags: ['office'],
      proxyPort: await freePort(),
      agents: [{ id: 'demo-agent', description: 'streams a few lines of work about any task', tags: ['demo'], command: [process.execPath, DEMO_AGENT, '--', '{task}'] }],
      models: [{ id: DEMO_MODEL_ID, description: 'the built-in demo model: echoes your message back', upstream: { baseUrl: demoModel.baseUrl } }]
    }
  }
  const nodes: ClawMatrixNode[] = []
  const t0 = Date.now()
  const elapsed = (): string => `${String(Date.now() - t0).padStart(5)} ms`
  try {
    say(`ClawMatrix demo: three nodes on 127.0.0.1, secret generated for this run, state in ${dir}\n`)
    for (const name of ['hub', 'home', 'office']) {
      const config = { ...configs[name], dataDir: join(dir, name) }
      if (name !== 'hub') config.peers = [{ nodeId: 'hub', url: `ws://127.0.0.1:${hubPort}`, peerId: nodes[0].peerId }]
      configs[name] = config
      await writeFile(join(dir, `${name}.json`), JSON.stringify(config, null, 2) + '\n', { mode: 0o600 })
      const node = await createClawMatrix(config)
      nodes.push(node)
      say(`${elapsed()}  ${name.padEnd(6)} started  ${node.peerId}  ${name === 'hub' ? `listening on ws://127.0.0.1:${hubPort}` : 'dials out only'}`)
      node.capabilities.addEventListener('record', (evt: Event) => {
        const record = (evt as CustomEvent<CapabilityRecord>).detail
        const entry = node.peers().find(p => p.peerId === record.peerId)
        if (entry?.lastSeenMs != null && entry.lastSeenMs < 50 && !seen.has(`${name}<${record.nodeId}`)) {
          seen.add(`${name}<${record.nodeId}`)
          say(`${elapsed()}  ${name.padEnd(6)} learned ${record.nodeId} (tags ${record.tags.join(',')}) from its signed announcement`)
        }
      })
    }
    await meshFormed(nodes)
    say(`${elapsed()}  mesh formed\n`)
    for (const node of nodes) say(`${node.nodeId} sees:\n${formatPeers(node.peers())}\n`)
    say(`Status page of home: http://127.0.0.1:${String(configs.home.proxyPort)}/clawmatrix/`)
    say(`  log in with the token in ${join(dir, 'home', 'api-token')}\n`)
    say('Poke it (in another terminal, from this repository):')
    say(`  npm run clawmatrix -- status --config ${join(dir, 'home.json')}`)
    say(`  npm run clawmatrix -- peers --config ${join(dir, 'office.json')}`)
    say(`  npm run clawmatrix -- handoff demo-agent "summarise the plan" --config ${join(dir, 'home.json')}`)
    say(`  npm run clawmatrix -- chat ${DEMO_MODEL_ID} "hello mesh" --config ${join(dir, 'home.json')}`)
    say(`  curl -s http://127.0.0.1:${String(configs.home.proxyPort)}/v1/chat/completions -H "Authorization: Bearer $(cat ${join(dir, 'home', 'api-token')})" \\`)
    say(`    -H 'content-type: application/json' -d '{"model":"${DEMO_MODEL_ID}","messages":[{"role":"user","content":"hello mesh"}]}'`)
    say(`  curl -s -H "Authorization: Bearer $(cat ${join(dir, 'home', 'api-token')})" http://127.0.0.1:${String(configs.home.proxyPort)}/clawmatrix/status`)
    say('\nCtrl-C stops the demo and removes its state.')
    await stopOnSignal(...nodes)
  } finally {
    await Promise.allSettled(nodes.map(async n => { await n.stop() }))
    await demoModel.close()
    await rm(dir, { recursive: true, force: true })
  }
}

const seen = new Set<string>()
