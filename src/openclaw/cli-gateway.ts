import { ConfigError } from '../config/errors.js'
import { RemoteError, UsageError } from '../cli/errors.js'
import { terminalSafe, terminalSafeProse } from '../cli/terminal-text.js'
import { CLI_GATEWAY_TIMEOUT_MS, GATEWAY_UNREACHABLE_MESSAGE } from './constants.js'
import { isNotRunning } from './gateway-methods.js'
import { callGateway, isGatewayUnreachable } from './sdk.js'

/** The gateway's answer to `method`, or undefined after saying why there is none (exit code 1) */
export async function askGateway (method: string, params: Record<string, unknown> = {}): Promise<unknown> {
  let payload: unknown
  try {
    payload = await callGateway(method, params, { json: true, timeout: String(CLI_GATEWAY_TIMEOUT_MS) })
  } catch (err: any) {
    process.exitCode = 1
    if (await isGatewayUnreachable(err)) process.stdout.write(GATEWAY_UNREACHABLE_MESSAGE + '\n')
    else process.stderr.write(`error: ${terminalSafe(String(err?.message ?? err))}\n`)
    return undefined
  }
  if (isNotRunning(payload)) {
    process.exitCode = 1
    process.stdout.write(`ClawMatrix is not running on this gateway (${payload.phase}): ${payload.reason}\n`)
    return undefined
  }
  return payload
}

/**
 * A command's action that says what went wrong the way the standalone CLI does: bad flags or
 * config exit 2, a refusal from the issuer or the node `error [code]: ...` and exit 1.
 */
export function cliAction<A extends unknown[]> (action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args)
    } catch (err: any) {
      if (err instanceof UsageError || err instanceof ConfigError) {
        process.stderr.write(`${terminalSafeProse(err.message)}\n`)
        process.exitCode = 2
      } else if (err instanceof RemoteError) {
        process.stderr.write(`error [${terminalSafe(err.code)}]: ${terminalSafe(err.message)}\n`)
        process.exitCode = 1
      } else {
        process.stderr.write(`error: ${terminalSafe(String(err?.message ?? err))}\n`)
        process.exitCode = 1
      }
    }
  }
}
