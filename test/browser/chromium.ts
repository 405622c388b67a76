import { access, constants } from 'node:fs/promises'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'

/** Debian's chromium package; `.ci/run` installs it when missing */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** The name the foreign-Host test navigates to: the browser resolves it to 127.0.0.1, as a rebinding attacker's DNS would */
export const REBIND_HOST = 'rebind.test'

/**
 * A headless Chromium with a fresh profile (playwright-core makes a new user-data-dir per launch
 * and removes it at close), offline apart from the loopback addresses the tests open.
 */
export async function launchChromium (): Promise<Browser> {
  await access(CHROMIUM, constants.X_OK).catch(() => {
    throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium, as .ci/run does) or set CHROMIUM_PATH`)
  })
  return await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--host-resolver-rules=MAP ${REBIND_HOST} 127.0.0.1`
    ]
  })
}
