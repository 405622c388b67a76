// Copies the files tsc does not emit (the status page's script and style) beside the build.
import { cpSync } from 'node:fs'

const ASSETS = ['src/status-page/assets']

for (const dir of ASSETS) cpSync(dir, `dist/${dir}`, { recursive: true })
