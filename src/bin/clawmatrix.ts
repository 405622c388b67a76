#!/usr/bin/env node
// Checked before anything else is imported: libp2p 3 fails on older Node with cryptic errors.
const MIN_NODE = [22, 19]
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
  process.stderr.write(`clawmatrix needs Node.js >= ${MIN_NODE.join('.')}; this is ${process.versions.node}.\n` +
    'Install a newer Node.js, or run it through the repository\'s npm scripts, which bring Node 24.\n')
  process.exit(2)
}
const { main } = await import('../cli/main.js')
await main(process.argv)
