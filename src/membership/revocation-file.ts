import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { CertificateBatch } from '../../protocols/membership.js'
import { MAX_REVOCATIONS } from './constants.js'

/** The revocation envelopes kept in `file` (a `CertificateBatch` with only revocations); none when it does not exist */
export async function readRevocationFile (file: string): Promise<Uint8Array[]> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(file)
  } catch (err: any) {
    if (err.code === 'ENOENT') return []
    throw new Error(`cannot read the revocations in ${file}: ${String(err.message)}`)
  }
  try {
    return CertificateBatch.decode(bytes, { limits: { certificates: 0, wanted: 0, revocations: MAX_REVOCATIONS } }).revocations
  } catch (err: any) {
    throw new Error(`${file} does not hold revocations: ${String(err.message)}`)
  }
}

/** Replace the revocations kept in `file` (written beside it, then renamed: never half written) */
export async function writeRevocationFile (file: string, envelopes: Uint8Array[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, CertificateBatch.encode({ certificates: [], wanted: [], revocations: envelopes as Array<Uint8Array<ArrayBuffer>> }), { mode: 0o600 })
  await rename(tmp, file)
}
