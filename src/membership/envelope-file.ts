import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { CertificateBatch, SecretRotationChain } from '../../protocols/membership.js'
import { MAX_CERTIFICATES, MAX_REVOCATIONS } from './constants.js'

/** What a membership file in the dataDir keeps: one list of a `CertificateBatch` */
type Kept = 'certificates' | 'revocations'

const MAX_KEPT: Record<Kept, number> = { certificates: MAX_CERTIFICATES, revocations: MAX_REVOCATIONS }

/** The envelopes kept in `file`; none when it does not exist */
async function readEnvelopes (file: string, kept: Kept): Promise<Uint8Array[]> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(file)
  } catch (err: any) {
    if (err.code === 'ENOENT') return []
    throw new Error(`cannot read the ${kept} in ${file}: ${String(err.message)}`)
  }
  try {
    const limits = { certificates: 0, wanted: 0, revocations: 0, [kept]: MAX_KEPT[kept] }
    return CertificateBatch.decode(bytes, { limits })[kept]
  } catch (err: any) {
    throw new Error(`${file} does not hold ${kept}: ${String(err.message)}`)
  }
}

/** Replace the envelopes kept in `file` (written beside it, then renamed: never half written) */
async function writeEnvelopes (file: string, kept: Kept, envelopes: Uint8Array[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  const tmp = `${file}.${process.pid}.tmp`
  const batch = { certificates: [], wanted: [], revocations: [], [kept]: envelopes as Array<Uint8Array<ArrayBuffer>> }
  await writeFile(tmp, CertificateBatch.encode(batch), { mode: 0o600 })
  await rename(tmp, file)
}

export const readCertificateFile = async (file: string): Promise<Uint8Array[]> => await readEnvelopes(file, 'certificates')
export const writeCertificateFile = async (file: string, envelopes: Uint8Array[]): Promise<void> => { await writeEnvelopes(file, 'certificates', envelopes) }
export const readRevocationFile = async (file: string): Promise<Uint8Array[]> => await readEnvelopes(file, 'revocations')
export const writeRevocationFile = async (file: string, envelopes: Uint8Array[]): Promise<void> => { await writeEnvelopes(file, 'revocations', envelopes) }

/** The rotation envelopes kept in `file`, oldest first; none when it does not exist */
export async function readRotationFile (file: string, max: number): Promise<Uint8Array[]> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(file)
  } catch (err: any) {
    if (err.code === 'ENOENT') return []
    throw new Error(`cannot read the secret rotations in ${file}: ${String(err.message)}`)
  }
  try {
    return SecretRotationChain.decode(bytes, { limits: { rotations: max } }).rotations
  } catch (err: any) {
    throw new Error(`${file} does not hold secret rotations: ${String(err.message)}`)
  }
}

/** Replace the rotation envelopes kept in `file` (mode 0600, written beside it, then renamed) */
export async function writeRotationFile (file: string, envelopes: Uint8Array[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, SecretRotationChain.encode({ rotations: envelopes as Array<Uint8Array<ArrayBuffer>> }), { mode: 0o600 })
  await rename(tmp, file)
}
