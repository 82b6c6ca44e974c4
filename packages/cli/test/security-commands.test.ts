import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SCRAM_CREDENTIALS_FILE, startBroker, type Broker } from '@tributary/broker'
import { Connection, SaslAuthenticationError } from '@tributary/client'
import { CreateTopicsApi, ErrorCode } from '@tributary/protocol'
import { tempDir } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../src/index.js'
import { fakeContext } from './helpers.js'

const ADMIN = ['--sasl-mechanism', 'SCRAM-SHA-512', '--sasl-username', 'admin', '--sasl-password', 'admin-secret']

/** Runs `tributary <args>` in-process; resolves with the exit code and what it printed. */
async function tributary(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const ctx = fakeContext()
  const code = await main(['node', 'tributary', ...args], ctx)
  return { code, out: ctx.out.join(''), err: ctx.err.join('') }
}

async function signIn(port: number, username: string, password: string, mechanism: 'scram-sha-256' | 'scram-sha-512' = 'scram-sha-256'): Promise<Connection | undefined> {
  try {
    return await Connection.open({ host: '127.0.0.1', port, clientId: 'cli-test', requestTimeoutMs: 10_000, socketConnectionSetupTimeoutMs: 10_000, sasl: { mechanism, username, password } })
  } catch (err) {
    if (err instanceof SaslAuthenticationError) return undefined
    throw err
  }
}

describe('tributary users and tributary acls', () => {
  const dir = tempDir('tributary-cli-security-')
  let broker: Broker
  let bootstrap: string[]
  beforeAll(async () => {
    broker = await startBroker({
      dataDir: dir.path,
      listeners: ['SASL_PLAINTEXT://127.0.0.1:0'],
      sasl: { scramUsers: { admin: 'admin-secret' } },
      authorizer: true,
      superUsers: ['User:admin'],
      logger: { info() {}, warn() {}, error() {} },
    })
    bootstrap = ['--bootstrap-server', `127.0.0.1:${broker.port}`, ...ADMIN]
  })
  afterAll(async () => {
    await broker.close()
    dir.remove()
  })

  it('users add salts the password on the client, and the user can then sign in; list shows mechanisms and iterations', async () => {
    process.env.CLI_TEST_PASSWORD = 'alice-cli-password'
    const added = await tributary('users', 'add', 'alice', '--password-env', 'CLI_TEST_PASSWORD', '--iterations', '8192', ...bootstrap)
    expect(added).toEqual({ code: 0, out: 'user alice: SCRAM-SHA-256 and SCRAM-SHA-512 credentials set (8192 iterations)\n', err: '' })
    const conn = await signIn(broker.port, 'alice', 'alice-cli-password', 'scram-sha-512')
    expect(conn).toBeDefined()
    conn!.close()
    expect(readFileSync(join(dir.path, SCRAM_CREDENTIALS_FILE), 'utf8')).not.toContain('alice-cli-password')

    const one = await tributary('users', 'add', 'bob', '--password', 'bob-pw', '--mechanism', 'scram-sha-256', ...bootstrap)
    expect(one.out).toBe('user bob: SCRAM-SHA-256 credentials set (4096 iterations)\n')
    const listed = await tributary('users', 'list', ...bootstrap)
    expect(listed.code).toBe(0)
    expect(listed.out.split('\n').filter(Boolean)).toEqual([
      'admin\tSCRAM-SHA-256 (4096 iterations), SCRAM-SHA-512 (4096 iterations)',
      'alice\tSCRAM-SHA-256 (8192 iterations), SCRAM-SHA-512 (8192 iterations)',
      'bob\tSCRAM-SHA-256 (4096 iterations)',
    ])
  })

  it('users delete removes every credential of the user; errors name the problem and exit 1', async () => {
    await tributary('users', 'add', 'carol', '--password', 'carol-pw', ...bootstrap)
    expect(await tributary('users', 'delete', 'carol', ...bootstrap)).toEqual({ code: 0, out: 'user carol: SCRAM-SHA-256 and SCRAM-SHA-512 credentials deleted\n', err: '' })
    expect(await signIn(broker.port, 'carol', 'carol-pw')).toBeUndefined()
    const missing = await tributary('users', 'delete', 'carol', ...bootstrap)
    expect(missing).toMatchObject({ code: 1, err: 'tributary: deleting user carol failed: RESOURCE_NOT_FOUND: User carol has no SCRAM credential\n' })
    expect((await tributary('users', 'add', 'dave', '--password', 'x', '--iterations', '100', ...bootstrap)).err).toMatch(/--iterations <count>' argument '100' is invalid. Expected an integer from 4096 to 16384/)
    expect((await tributary('users', 'add', 'dave', ...bootstrap)).err).toMatch(/Give the password with --password-env/)
    const denied = await tributary('users', 'list', '--bootstrap-server', `127.0.0.1:${broker.port}`, '--sasl-mechanism', 'SCRAM-SHA-256', '--sasl-username', 'alice', '--sasl-password', 'alice-cli-password')
    expect(denied).toMatchObject({ code: 1, err: 'tributary: listing users failed: CLUSTER_AUTHORIZATION_FAILED: Describing SCRAM credentials needs Describe on the cluster\n' })
    const unauthenticated = await tributary('users', 'list', '--bootstrap-server', `127.0.0.1:${broker.port}`, '--sasl-mechanism', 'SCRAM-SHA-256', '--sasl-username', 'admin', '--sasl-password', 'wrong')
    expect(unauthenticated.code).toBe(1)
    expect(unauthenticated.err).toMatch(/SASL SCRAM-SHA-256 authentication as "admin" .* failed/)
  })

  it('acls add, list and remove, which the broker then enforces', async () => {
    await tributary('users', 'add', 'erin', '--password', 'erin-pw', ...bootstrap)
    const erin = (await signIn(broker.port, 'erin', 'erin-pw'))!
    const create = async (name: string) => (await erin.request(CreateTopicsApi, { topics: [{ name, numPartitions: 1, replicationFactor: 1 }], timeoutMs: 5000 })).topics[0]!.errorCode
    expect(await create('erin-orders')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)

    const added = await tributary('acls', 'add', '--principal', 'User:erin', '--operation', 'create', '--operation', 'describe', '--topic', 'erin-', '--pattern-type', 'prefixed', ...bootstrap)
    expect(added).toEqual({
      code: 0,
      out: 'added: User:erin from * may Create Topic:erin- (Prefixed)\nadded: User:erin from * may Describe Topic:erin- (Prefixed)\n',
      err: '',
    })
    await tributary('acls', 'add', '--principal', 'User:erin', '--operation', 'read', '--group', 'erin-group', '--permission', 'deny', '--host', '10.1.2.3', ...bootstrap)
    expect(await create('erin-orders')).toBe(ErrorCode.NONE)

    const listed = await tributary('acls', 'list', '--principal', 'User:erin', ...bootstrap)
    expect(listed.out.split('\n').filter(Boolean).sort()).toEqual([
      'User:erin from * may Create Topic:erin- (Prefixed)',
      'User:erin from * may Describe Topic:erin- (Prefixed)',
      'User:erin from 10.1.2.3 may not Read Group:erin-group (Literal)',
    ])
    const matching = await tributary('acls', 'list', '--topic', 'erin-payments', '--pattern-type', 'match', ...bootstrap)
    expect(matching.out.split('\n').filter(Boolean)).toHaveLength(2)

    const removed = await tributary('acls', 'remove', '--principal', 'User:erin', '--topic', 'erin-', '--pattern-type', 'prefixed', '--operation', 'create', ...bootstrap)
    expect(removed.out).toBe('removed: User:erin from * may Create Topic:erin- (Prefixed)\n')
    expect(await create('erin-later')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
    erin.close()

    expect((await tributary('acls', 'remove', ...bootstrap)).err).toMatch(/never removes every ACL by accident/)
    expect((await tributary('acls', 'add', '--principal', 'alice', '--operation', 'read', '--topic', 't', ...bootstrap)).err).toMatch(/is not a principal; expected User:<name>/)
    expect((await tributary('acls', 'add', '--principal', 'User:a', '--operation', 'fly', '--topic', 't', ...bootstrap)).err).toMatch(/"fly" is not an operation/)
  })
})
