/**
 * The demo's agent: a real program a node runs for each handoff
 * (`node dist/src/demo/demo-agent.js -- <task>`, or the task on stdin). It streams a few lines
 * of "work" about the task, a moment apart, so the streaming can be watched.
 */
import { setTimeout as sleep } from 'node:timers/promises'

const STEP_MS = 150

async function readStdin (): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

async function main (): Promise<void> {
  const separator = process.argv.indexOf('--')
  const words = separator >= 0 ? process.argv.slice(separator + 1) : []
  const task = (words.length > 0 ? words.join(' ') : await readStdin()).trim()
  if (task === '') {
    process.stderr.write('demo-agent: no task given (pass it after -- or on stdin)\n')
    process.exitCode = 2
    return
  }
  const taskWords = task.split(/\s+/)
  const lines = [
    `demo-agent (pid ${process.pid}): working on "${task}"`,
    `step 1/3: read the task: ${taskWords.length} words, ${task.length} characters`,
    `step 2/3: longest word: "${taskWords.reduce((a, b) => (b.length > a.length ? b : a))}"`,
    `step 3/3: the task backwards: "${[...task].reverse().join('')}"`,
    'done.'
  ]
  for (const line of lines) {
    process.stdout.write(line + '\n')
    await sleep(STEP_MS)
  }
}

await main()
