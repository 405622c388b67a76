import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliBytes, writeConfig } from '../helpers/cli.js'
import { removeTempDirs, startHubMesh, TEST_SECRET } from '../helpers/mesh.js'
import { agentCommand, deliveryLog, HANDOFF_TIMING } from './fixtures.js'
import type { TestHubMesh } from '../helpers/mesh.js'

describe('clawmatrix handoff / send', () => {
  let mesh: TestHubMesh
  let dir: string
  let configFile: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-handoff-cli-'))
    mesh = await startHubMesh([
      { config: { nodeId: 'caller' } },
      {
        config: {
          nodeId: 'office',
          agents: [
            { id: 'reader', command: agentCommand('echo') },
            { id: 'failing', command: agentCommand('fail', '--code', '4', '--stderr', 'out of coffee') },
            { id: 'idle' }
          ]
        }
      }
    ], { timing: HANDOFF_TIMING })
    // the CLI finds the caller's API and its tokens through the same config the node runs with
    const caller = mesh.members[0]
    configFile = await writeConfig({ nodeId: 'caller', secret: TEST_SECRET, proxyPort: caller.api.port, dataDir: caller.config.dataDir }, dir)
  })
  afterAll(async () => {
    await mesh?.stop()
    await removeTempDirs()
    await rm(dir, { recursive: true, force: true })
  })

  async function cli (...args: string[]): ReturnType<typeof runCliBytes> {
    return await runCliBytes([...args, '--config', configFile], { timeoutMs: 30_000 })
  }

  it('copies the agent\'s output to stdout byte for byte and exits 0', async () => {
    const task = 'r\u00e9sum\u00e9 \u2713 \u{1F980}\n\ttabs and  spaces \r\nno newline at the end'
    const run = await cli('handoff', 'reader', task)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout.equals(Buffer.from(task, 'utf8'))).toBe(true)
  })

  it('prints error [<code>]: <message> and exits 1 when the agent fails', async () => {
    const run = await cli('handoff', 'failing', 'brew')
    expect(run.code).toBe(1)
    expect(run.stdout.toString()).toBe('starting\n')
    expect(run.stderr).toMatch(/^error \[agent_failed\]: "[^"]+" exited with code 4: out of coffee\n$/)
  })

  it('reports refusals the same way', async () => {
    const [unknown, idle, flag] = await Promise.all([
      cli('handoff', 'designer', 'draw'),
      cli('handoff', 'idle', 'wake up', '--timeout', '2000'),
      cli('handoff', 'reader', 'x', '--timeout', 'soon')
    ])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/^error \[unknown_target\]: no agent, tag or node matches "designer"; on offer: .*reader/)
    expect(idle.stderr).toMatch(/^error \[no_runner\]: /)
    expect(flag.code).not.toBe(0)
    expect(flag.stderr).toMatch(/must be a positive whole number of ms/)
  })

  it('send prints where the message went', async () => {
    const [run, refused] = await Promise.all([cli('send', 'reader', 'hello there'), cli('send', 'idle', 'hello')])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const deliveryId = /^delivered to agent "reader" on node "office" as (\d+-\d+)\n$/.exec(run.stdout.toString())?.[1]
    expect(deliveryId).toBeDefined()
    expect(await deliveryLog(mesh.members[1], 'reader', deliveryId ?? '')).toMatch(/\nhello there$/)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^error \[no_runner\]: /)
  })
})
