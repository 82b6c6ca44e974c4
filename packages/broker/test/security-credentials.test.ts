import { randomBytes } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { SaslAuthenticationError, type Connection } from '@tributary/client'
import { AlterUserScramCredentialsApi, DescribeUserScramCredentialsApi, ErrorCode } from '@tributary/protocol'
import { startTestBroker, tempDir, type TestBroker } from '@tributary/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { SCRAM_CREDENTIALS_FILE, saltPassword, type BrokerOptions } from '../src/index.js'
import { connect } from './fixtures/secure-client.js'

const SHA256 = 1
const SHA512 = 2

/** An upsertion as `tributary users add` builds it: the client salts the password; the broker never sees it. */
function upsertion(name: string, password: string, mechanism = SHA256, iterations = 4096) {
  const salt = randomBytes(32)
  const saltedPassword = saltPassword(mechanism === SHA256 ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512', password, salt, iterations)
  return { name, mechanism, iterations, salt, saltedPassword }
}

/** Brokers to stop, then directories to remove, after each test. */
const brokers: (() => Promise<void>)[] = []
const dirs: (() => void)[] = []
afterEach(async () => {
  await stopBrokers()
  for (const remove of dirs.splice(0)) remove()
})

async function stopBrokers(): Promise<void> {
  for (const stop of brokers.splice(0).reverse()) await stop()
}

async function start(dataDir: string, extra: BrokerOptions = {}): Promise<{ t: TestBroker; admin: Connection; saslPort: number }> {
  const t = await startTestBroker({ dataDir, listeners: ['PLAINTEXT://127.0.0.1:0', 'SASL_PLAINTEXT://127.0.0.1:0'], ...extra })
  const admin = await connect(t.broker.listeners[0]!.port)
  brokers.push(async () => {
    admin.close()
    await t.broker.close()
  })
  return { t, admin, saslPort: t.broker.listeners[1]!.port }
}

async function authenticates(port: number, username: string, password: string, mechanism: 'scram-sha-256' | 'scram-sha-512' = 'scram-sha-256'): Promise<boolean> {
  try {
    const conn = await connect(port, { sasl: { mechanism, username, password } })
    conn.close()
    return true
  } catch (err) {
    if (err instanceof SaslAuthenticationError) return false
    throw err
  }
}

describe('SCRAM credentials', () => {
  it('are created by AlterUserScramCredentials, stored salted (no password, no salted password), described, and survive a restart', async () => {
    const dir = tempDirPath()
    const first = await start(dir)
    const carol256 = upsertion('carol', 'carol-password-256', SHA256, 8192)
    const carol512 = upsertion('carol', 'carol-password-512', SHA512)
    const dave = upsertion('dave', 'dave-password')
    const res = await first.admin.request(AlterUserScramCredentialsApi, { deletions: [], upsertions: [carol256, carol512, dave] })
    expect(res.results).toEqual([
      { user: 'carol', errorCode: ErrorCode.NONE, errorMessage: null },
      { user: 'dave', errorCode: ErrorCode.NONE, errorMessage: null },
    ])
    expect(await authenticates(first.saslPort, 'carol', 'carol-password-256')).toBe(true)
    expect(await authenticates(first.saslPort, 'carol', 'carol-password-512', 'scram-sha-512')).toBe(true)
    expect(await authenticates(first.saslPort, 'carol', 'carol-password-512')).toBe(false)

    const described = await first.admin.request(DescribeUserScramCredentialsApi, { users: null })
    expect(described.results).toEqual([
      { user: 'carol', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: SHA256, iterations: 8192 }, { mechanism: SHA512, iterations: 4096 }] },
      { user: 'dave', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: SHA256, iterations: 4096 }] },
    ])

    const path = join(dir, SCRAM_CREDENTIALS_FILE)
    const text = readFileSync(path, 'utf8')
    for (const secret of ['carol-password-256', 'carol-password-512', 'dave-password']) expect(text).not.toContain(secret)
    for (const u of [carol256, carol512, dave]) {
      expect(text).not.toContain(u.saltedPassword.toString('base64'))
      expect(text).not.toContain(u.saltedPassword.toString('hex'))
      expect(text).toContain(u.salt.toString('base64'))
    }
    const stored = JSON.parse(text) as { users: Record<string, Record<string, Record<string, unknown>>> }
    expect(Object.keys(stored.users.carol!['SCRAM-SHA-256']!).sort()).toEqual(['iterations', 'salt', 'serverKey', 'storedKey'])
    expect(statSync(path).mode & 0o777).toBe(0o600)

    // Delete one, then restart on the same data directory.
    const deleted = await first.admin.request(AlterUserScramCredentialsApi, { deletions: [{ name: 'dave', mechanism: SHA256 }], upsertions: [] })
    expect(deleted.results).toEqual([{ user: 'dave', errorCode: ErrorCode.NONE, errorMessage: null }])
    await stopBrokers()

    const second = await start(dir)
    expect(await authenticates(second.saslPort, 'carol', 'carol-password-256')).toBe(true)
    expect(await authenticates(second.saslPort, 'dave', 'dave-password')).toBe(false)
    const after = await second.admin.request(DescribeUserScramCredentialsApi, { users: [{ name: 'carol' }, { name: 'dave' }] })
    expect(after.results.map((r) => [r.user, r.errorCode])).toEqual([
      ['carol', ErrorCode.NONE],
      ['dave', ErrorCode.RESOURCE_NOT_FOUND],
    ])
  })

  it('refuse bad alterations per user, all or nothing for that user', async () => {
    const { admin, saslPort } = await start(tempDirPath())
    const res = await admin.request(AlterUserScramCredentialsApi, {
      deletions: [
        { name: 'ghost', mechanism: SHA256 },
        { name: 'twice', mechanism: SHA256 },
      ],
      upsertions: [
        upsertion('weak', 'pw', SHA256, 1000),
        upsertion('strong', 'pw', SHA256, 20000),
        { ...upsertion('odd', 'pw'), mechanism: 9 },
        upsertion('twice', 'pw'),
        { ...upsertion('short', 'pw'), saltedPassword: Buffer.alloc(5) },
        { ...upsertion('', 'pw') },
        upsertion('fine', 'fine-password'),
        // One bad change spoils the user's other changes.
        upsertion('mixed', 'mixed-password'),
        { ...upsertion('mixed', 'x', SHA512), iterations: 1 },
      ],
    })
    expect(Object.fromEntries(res.results.map((r) => [r.user, r.errorCode]))).toEqual({
      ghost: ErrorCode.RESOURCE_NOT_FOUND,
      twice: ErrorCode.DUPLICATE_RESOURCE,
      weak: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      strong: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      odd: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      short: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      '': ErrorCode.UNACCEPTABLE_CREDENTIAL,
      fine: ErrorCode.NONE,
      mixed: ErrorCode.UNACCEPTABLE_CREDENTIAL,
    })
    expect(res.results.find((r) => r.user === 'weak')!.errorMessage).toMatch(/1000 iterations are too few for SCRAM-SHA-256; use 4096 to 16384/)
    expect(await authenticates(saslPort, 'fine', 'fine-password')).toBe(true)
    expect(await authenticates(saslPort, 'mixed', 'mixed-password')).toBe(false)
    const dup = await admin.request(DescribeUserScramCredentialsApi, { users: [{ name: 'fine' }, { name: 'fine' }] })
    expect(dup.results).toEqual([{ user: 'fine', errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'User fine is listed more than once', credentialInfos: [] }])
  })

  it('seeds configured SCRAM users once, without overwriting a credential changed later', async () => {
    const dir = tempDirPath()
    const first = await start(dir, { sasl: { scramUsers: { erin: 'seeded-password' } } })
    expect(await authenticates(first.saslPort, 'erin', 'seeded-password', 'scram-sha-512')).toBe(true)
    await first.admin.request(AlterUserScramCredentialsApi, { deletions: [], upsertions: [upsertion('erin', 'changed-password')] })
    await stopBrokers()
    const second = await start(dir, { sasl: { scramUsers: { erin: 'seeded-password' } } })
    expect(await authenticates(second.saslPort, 'erin', 'changed-password')).toBe(true)
    expect(await authenticates(second.saslPort, 'erin', 'seeded-password')).toBe(false)
  })
})

function tempDirPath(): string {
  const dir = tempDir()
  dirs.push(dir.remove)
  return dir.path
}
