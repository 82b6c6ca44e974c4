import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CLIENT_SOFTWARE_NAME, CLIENT_SOFTWARE_VERSION } from './version.js'

describe('client software identity', () => {
  it("matches package.json and the ApiVersions name/version pattern brokers accept", () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(CLIENT_SOFTWARE_VERSION).toBe(pkg.version)
    const pattern = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/
    expect(CLIENT_SOFTWARE_NAME).toMatch(pattern)
    expect(CLIENT_SOFTWARE_VERSION).toMatch(pattern)
  })
})
