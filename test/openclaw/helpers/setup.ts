import { cleanEnv, runOk } from './commands.js'

const INSTALL_TIMEOUT_MS = 600_000
const PACK_TIMEOUT_MS = 300_000

/** openclaw from the npm registry into .e2e/openclaw (reused when the right version is there) */
export async function installOpenClaw (): Promise<{ bin: string, ms: number, reused: boolean }> {
  const result = await runOk('bash', ['scripts/openclaw-e2e-install.sh'], { env: cleanEnv(), timeoutMs: INSTALL_TIMEOUT_MS })
  const bin = result.stdout.trim().split('\n').at(-1) ?? ''
  return { bin, ms: result.ms, reused: result.stderr.includes('already installed') }
}

/** `npm pack` of this repo (its prepare script builds dist first): the tarball users install */
export async function packPlugin (destination: string): Promise<{ tarball: string, ms: number }> {
  const result = await runOk('npm', ['pack', '--pack-destination', destination, '--json'], { env: cleanEnv(), timeoutMs: PACK_TIMEOUT_MS })
  // lifecycle scripts may print before the JSON document
  const [packed] = JSON.parse(result.stdout.slice(result.stdout.search(/^\[/m)))
  return { tarball: `${destination}/${String(packed.filename)}`, ms: result.ms }
}
