import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveSecurity } from './options.js'

const SINGLE = { host: '127.0.0.1', port: 0, advertisedHost: undefined }
const SASL_LISTENER = { listeners: ['SASL_PLAINTEXT://127.0.0.1:0'] }
const dir = mkdtempSync(join(tmpdir(), 'security-options-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function usersFile(text: string): string {
  const path = join(dir, `users-${Math.random().toString(36).slice(2)}.json`)
  writeFileSync(path, text)
  return path
}

const resolvePlain = (sasl: object) => () => resolveSecurity({ ...SASL_LISTENER, sasl: { mechanisms: ['PLAIN'], ...sasl } }, new Map(), SINGLE)

describe('PLAIN users', () => {
  it('reads a users file', () => {
    const security = resolvePlain({ plainUsersFile: usersFile('{"alice":"alice-secret"}') })()
    expect([...security.plainUsers]).toEqual([['alice', 'alice-secret']])
  })

  it.each([
    ['a file that is not JSON', '{"alice":"hunter2",', /is not valid JSON/],
    ['a password that is not a string', '{"alice":"hunter2","bob":5}', /the password of user "bob" is a number; expected a string/],
    ['an array', '["alice","hunter2"]', /expected an object of user names and passwords, got an array/],
  ])('refuses %s without printing any password', (_, text, message) => {
    const attempt = resolvePlain({ plainUsersFile: usersFile(text) })
    expect(attempt).toThrow(message)
    expect(attempt).not.toThrow(/hunter2/)
  })

  it('names the user whose inline password is wrong, not the passwords', () => {
    const attempt = resolvePlain({ plainUsers: { alice: 'hunter2', '': 'x' } })
    expect(attempt).toThrow(/a user name is empty/)
    expect(attempt).not.toThrow(/hunter2/)
  })
})
