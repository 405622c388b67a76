import { mkdir, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { configPath } from '../../config/load-file.js'
import { resolveConfig } from '../../config/resolve.js'
import { CERTIFICATES_FILE, writeCertificateFile } from '../../membership/index.js'
import { parseInvite, peerIdOfAddr } from '../../membership/invite.js'
import { InviteFormatError, RedeemError } from '../../membership/invite-errors.js'
import { loadOrCreateIdentity } from '../../mesh/identity.js'
import { RemoteError, UsageError } from '../errors.js'
import { describeNode, stopOnSignal } from './start.js'
import type { Invite } from '../../membership/invite.js'
import type { Command } from 'commander'

interface JoinOptions {
  nodeId?: string
  start: boolean
  apiPort?: string
}

const LOOPBACK = /\/(ip4\/127\.|ip6\/::1\/)/

/** one address per member (the first that is not loopback, else the first), its peer ID pinned */
export function peersOf (addrs: string[]): Array<{ url: string, peerId: string }> {
  const byPeer = new Map<string, string[]>()
  for (const addr of addrs) {
    const peerId = peerIdOfAddr(addr)
    if (peerId == null) continue
    byPeer.set(peerId, [...byPeer.get(peerId) ?? [], addr])
  }
  return [...byPeer].map(([peerId, list], i) => {
    // the first is the issuer's address as dialed: it worked from here
    const addr = i === 0 ? list[0] : list.find(a => !LOOPBACK.test(a)) ?? list[0]
    return { url: addr.slice(0, addr.lastIndexOf('/p2p/')), peerId }
  })
}

async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

function readInvite (text: string): Invite {
  try {
    return parseInvite(text)
  } catch (err) {
    if (err instanceof InviteFormatError) throw new UsageError(`invite: ${err.message}`)
    throw err
  }
}

export function registerJoinCommand (program: Command): void {
  program.command('join <invite>')
    .description('join a mesh with an invite from `clawmatrix invite`: create the identity, get a certificate, write the config, start')
    .option('--node-id <id>', 'this node\'s node id (default: the invite\'s, else the host name)')
    .option('--api-port <port>', 'the local HTTP API port of the new node (default 19001)')
    .option('--no-start', 'write the config and certificate, print how to start, and exit')
    .action(async (text: string, opts: JoinOptions, cmd: Command) => {
      const invite = readInvite(text)
      const configFile = configPath(cmd.optsWithGlobals().config)
      if (await exists(configFile)) throw new UsageError(`${configFile} already exists: not overwriting it (join with --config <new file>)`)
      if (opts.apiPort != null && !/^\d{1,5}$/.test(opts.apiPort)) throw new UsageError(`--api-port: "${opts.apiPort}" is not a port number`)
      const nodeId = opts.nodeId ?? invite.name
      const raw: Record<string, unknown> = {
        ...(nodeId != null ? { nodeId } : {}),
        secret: invite.secret,
        membership: 'certificates',
        admins: invite.admins,
        ...(opts.apiPort != null ? { proxyPort: Number(opts.apiPort) } : {})
      }
      // the identity lives in the dataDir the config resolves to
      const draft = resolveConfig(raw, { source: configFile })
      const privateKey = await loadOrCreateIdentity(draft.dataDir)
      // loaded here so that other commands do not pay for importing the libp2p stack
      const { redeemInvite } = await import('../../membership/redeem-client.js')
      let redeemed
      try {
        redeemed = await redeemInvite(invite, privateKey, draft.nodeId)
      } catch (err) {
        if (err instanceof RedeemError) throw new RemoteError(err.code, err.message)
        throw err
      }
      const certificatesFile = join(draft.dataDir, CERTIFICATES_FILE)
      await writeCertificateFile(certificatesFile, redeemed.certificates)
      const written = { ...raw, nodeId: draft.nodeId, peers: peersOf(redeemed.addrs) }
      const config = resolveConfig(written, { source: configFile })
      await mkdir(dirname(configFile), { recursive: true, mode: 0o700 })
      await writeFile(configFile, JSON.stringify(written, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
      process.stdout.write([
        `joined as ${config.nodeId}: certificate from ${invite.issuer} in ${certificatesFile}`,
        `wrote ${configFile} (it holds the cluster secret: mode 0600)`
      ].join('\n') + '\n')
      if (!opts.start) {
        process.stdout.write(`Start the node with:\n  clawmatrix start --config ${configFile}\n`)
        return
      }
      const { createClawMatrix } = await import('../../node/clawmatrix.js')
      const node = await createClawMatrix(config, { onWarning: message => { process.stderr.write(`warning: ${message}\n`) } })
      process.stdout.write(describeNode(node))
      await stopOnSignal(node)
    })
}
