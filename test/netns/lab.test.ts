import { execFileSync, spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { labUnavailable, removeStaleLabs } from './lab.js'

const unavailable = labUnavailable()

function namespaces (): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map(l => l.split(' ')[0])
}

describe.skipIf(unavailable != null)('the network-namespace lab', () => {
  it('removes the namespaces of a run whose process is gone, and keeps those of live ones', () => {
    // a pid that existed and has exited: what a crashed run leaves behind
    const dead = spawnSync(process.execPath, ['-e', '']).pid
    const stale = `cmnt-${dead}-0000aa-net`
    const live = `cmnt-${process.pid}-0000bb-net`
    execFileSync('ip', ['netns', 'add', stale])
    execFileSync('ip', ['netns', 'add', live])
    try {
      expect(removeStaleLabs()).toContain(stale)
      expect(namespaces()).not.toContain(stale)
      expect(namespaces()).toContain(live)
    } finally {
      for (const ns of [stale, live]) spawnSync('ip', ['netns', 'del', ns])
    }
  })
})
