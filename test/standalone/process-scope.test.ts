import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { namespacesAvailable, spawnScoped } from '../../src/standalone/process-scope/index.js'
import { utsNamespaceOf } from '../../src/standalone/process-scope/namespace-scan.js'
import { isRunning } from '../tool/processes.js'
import { waitFor } from '../helpers/wait.js'
import type { ChildProcess } from 'node:child_process'

/** the built module, which a node in a child process loads (with the scope guard beside it) */
const BUILT = resolve(import.meta.dirname, '../../dist/src/standalone/process-scope/index.js')
const inNamespaces = await namespacesAvailable()

async function finished (child: ChildProcess): Promise<{ code: number | null, signal: NodeJS.Signals | null, stdout: string }> {
  let stdout = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  return await new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => { resolve({ code, signal, stdout }) })
  })
}

describe('spawnScoped', () => {
  it('runs the program itself: its own pid, exit code and signal', async () => {
    const exits = await spawnScoped(process.execPath, ['-e', 'console.log(process.pid); process.exit(3)'], { stdio: ['ignore', 'pipe', 'ignore'] })
    const exited = await finished(exits.child)
    expect(exited).toMatchObject({ code: 3, signal: null })
    expect(Number(exited.stdout)).toBe(exits.child.pid)
    await exits.scope.end()

    const killed = await spawnScoped(process.execPath, ['-e', 'process.kill(process.pid, "SIGTERM"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'ignore'] })
    expect(await finished(killed.child)).toMatchObject({ code: null, signal: 'SIGTERM' })
    await killed.scope.end()
  })

  it('fails as spawn() does for a program that is not there', async () => {
    const { child, scope } = await spawnScoped('no-such-program-for-clawmatrix', [], { stdio: 'ignore' })
    await expect(finished(child)).rejects.toMatchObject({ code: 'ENOENT', message: 'spawn no-such-program-for-clawmatrix ENOENT' })
    await scope.end()
  })

  it.runIf(inNamespaces)('gives the command a UTS namespace of its own', async () => {
    const { child, scope } = await spawnScoped('/bin/sh', ['-c', 'readlink /proc/$$/ns/uts'], { stdio: ['ignore', 'pipe', 'ignore'] })
    const { stdout } = await finished(child)
    expect(stdout.trim()).toBe(await scope.namespaceName())
    expect(stdout.trim()).not.toBe(await utsNamespaceOf('self'))
    await scope.end()
  })

  it.runIf(inNamespaces)('ends what the command left running, setsid included, when it ends', async () => {
    const { child, scope } = await spawnScoped('/bin/sh', ['-c', 'setsid sleep 300 > /dev/null 2>&1 & echo $!'], { stdio: ['ignore', 'pipe', 'ignore'] })
    const { stdout, code } = await finished(child)
    expect(code).toBe(0)
    const leftover = Number(stdout)
    await scope.end()
    expect(isRunning(leftover)).toBe(false)
  })

  it.runIf(inNamespaces)('ends a setsid grandchild when the command is ended, SIGTERM first', async () => {
    const { child, scope } = await spawnScoped('/bin/sh', ['-c', 'setsid sleep 300 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] })
    let stdout = ''
    child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    const grandchild = Number(await waitFor('the grandchild pid', () => stdout.endsWith('\n') ? stdout : null))
    const closed = new Promise(resolve => child.once('close', (code, signal) => { resolve(signal) }))
    await scope.end()
    expect(await closed).toBe('SIGTERM')
    expect(isRunning(grandchild)).toBe(false)
  })

  /** a stand-in node (the built module, run by `prefix`) that starts a shell with a setsid grandchild; its pids */
  async function standInNode (prefix: string[]): Promise<{ node: ChildProcess, pids: number[] }> {
    const script = `
      const { spawnScoped } = await import(${JSON.stringify(BUILT)})
      const { child } = await spawnScoped('/bin/sh', ['-c', 'setsid sleep 300 & echo $$ $!; wait'], { cwd: '/', stdio: ['ignore', 'pipe', 'ignore'] })
      child.stdout.pipe(process.stdout)
    `
    const [file, ...args] = [...prefix, process.execPath, '--input-type=module', '-e', script]
    const node = spawn(file, args, { cwd: '/', stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    node.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    const pids = (await waitFor('the command\'s pids', () => stdout.endsWith('\n') ? stdout : null)).trim().split(' ').map(Number)
    return { node, pids }
  }

  it.runIf(inNamespaces)('the scope guard kills the command, and what it left in another session too, when its node is killed with SIGKILL', async () => {
    const { node, pids } = await standInNode([])
    expect(pids.every(isRunning)).toBe(true)
    node.kill('SIGKILL')
    await waitFor('the command and its grandchild to be gone', () => pids.every(pid => !isRunning(pid)), 5000)
  })

  // an unprivileged node (setpriv drops root) cannot create namespaces: its commands' scope is the
  // process group, plus what left it while its parent still lives
  it.runIf(process.getuid?.() === 0 && process.platform === 'linux')('without namespaces, the guard kills the process group and the setsid children of live parents', async () => {
    const { node, pids } = await standInNode(['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups'])
    expect(pids.every(isRunning)).toBe(true)
    node.kill('SIGKILL')
    await waitFor('the command and its grandchild to be gone', () => pids.every(pid => !isRunning(pid)), 5000)
  })
})
