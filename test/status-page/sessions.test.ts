import { describe, expect, it } from 'vitest'
import { MAX_SESSIONS, SESSION_TTL_MS } from '../../src/status-page/constants.js'
import { SessionStore } from '../../src/status-page/sessions.js'

describe('status page sessions', () => {
  it('hands out unguessable ids (32 random bytes, base64url) that stay valid until logout', () => {
    const sessions = new SessionStore()
    const a = sessions.create()
    const b = sessions.create()
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(a, 'base64url')).toHaveLength(32)
    expect(a).not.toBe(b)
    expect(sessions.valid(a)).toBe(true)
    expect(sessions.valid('made-up')).toBe(false)
    expect(sessions.valid(undefined)).toBe(false)
    sessions.end(a)
    expect(sessions.valid(a)).toBe(false)
    expect(sessions.valid(b)).toBe(true)
  })

  it('ends a session at its age limit', () => {
    let now = 1_000_000
    const sessions = new SessionStore({}, () => now)
    const id = sessions.create()
    now += SESSION_TTL_MS - 1
    expect(sessions.valid(id)).toBe(true)
    now += 1
    expect(sessions.valid(id)).toBe(false)
    expect(sessions.size).toBe(0)
  })

  it(`holds at most ${MAX_SESSIONS}: a new login ends the oldest`, () => {
    const sessions = new SessionStore()
    const ids = Array.from({ length: MAX_SESSIONS + 10 }, () => sessions.create())
    expect(sessions.size).toBe(MAX_SESSIONS)
    expect(ids.slice(0, 10).some(id => sessions.valid(id))).toBe(false)
    expect(ids.slice(10).every(id => sessions.valid(id))).toBe(true)
  })
})
