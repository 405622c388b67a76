import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { CertificateBatch } from '../../protocols/membership.js'
import { MAX_CERTIFICATES } from './constants.js'

/** The certificate envelopes kept in `file` (a `CertificateBatch`); none when it does not exist */
export async function readCertificateFile (file: string): Promise<Uint8Array[]> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(file)
  } catch (err: any) {
    if (err.code === 'ENOENT') return []
    throw new Error(`cannot read the certificates in ${file}: ${String(err.message)}`)
  }
  try {
    return CertificateBatch.decode(bytes, { limits: { certificates: MAX_CERTIFICATES, wanted: 0, revocations: 0 } }).certificates
  } catch (err: any) {
    throw new Error(`${file} does not hold certificates: ${String(err.message)}`)
  }
}

/** Replace the certificates kept in `file` (written beside it, then renamed: never half written) */
export async function writeCertificateFile (file: string, envelopes: Uint8Array[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, CertificateBatch.encode({ certificates: envelopes as Array<Uint8Array<ArrayBuffer>>, wanted: [], revocations: [] }), { mode: 0o600 })
  await rename(tmp, file)
}
