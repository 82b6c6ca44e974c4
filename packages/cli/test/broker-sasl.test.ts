import { spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Connection, SaslAuthenticationError } from '@tributary/client'
import { CreateTopicsApi, ErrorCode } from '@tributary/protocol'
import { tempDir } from '@tributary/testkit'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { main } from '../src/index.js'
import { fakeContext, listeningAddress, until, type FakeContext } from './helpers.js'

const LAUNCHER = fileURLToPath(new URL('../bin/tributary.js', import.meta.url))
const dir = tempDir('tributary-cli-broker-sasl-')
afterAll(() => dir.remove())

/** Runs `tributary <args>` in-process; resolves with the exit code and what it printed. */
async function tributary(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const ctx = fakeContext()
  const code = await main(['node', 'tributary', ...args], ctx)
  return { code, out: ctx.out.join(''), err: ctx.err.join('') }
}

/** Brokers started by a test, stopped after it with SIGTERM. */
const running: { context: FakeContext; exit: Promise<number> }[] = []
afterEach(async () => {
  for (const { context, exit } of running.splice(0)) {
    context.signals.emit('SIGTERM', 'SIGTERM')
    expect(await exit, context.err.join('')).toBe(0)
  }
})

/** Starts `tributary broker <args>` in-process and resolves with its port once it listens. */
async function startCliBroker(...args: string[]): Promise<{ port: number; context: FakeContext }> {
  const context = fakeContext()
  const exit = main(['node', 'tributary', 'broker', ...args], context)
  running.push({ context, exit })
  await until(() => listeningAddress(context.out.join('')) !== undefined || context.err.some((l) => l.startsWith('tributary:')), 20_000, 'the listening line')
  const address = listeningAddress(context.out.join(''))
  expect(address, context.err.join('')).toBeDefined()
  return { port: address!.port, context }
}

async function signIn(port: number, mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512', username: string, password: string): Promise<Connection | undefined> {
  try {
    return await Connection.open({ host: '127.0.0.1', port, clientId: 'cli-test', requestTimeoutMs: 10_000, socketConnectionSetupTimeoutMs: 10_000, sasl: { mechanism, username, password } })
  } catch (err) {
    if (err instanceof SaslAuthenticationError) return undefined
    throw err
  }
}

const SECURED = ['-c', 'listeners=SASL_PLAINTEXT://127.0.0.1:0', '-c', 'authorizer.enabled=true', '-c', 'super.users=User:admin']

describe('tributary broker --add-scram and --plain-users-file', () => {
  it('seeds the super user, who then adds alice with tributary users; alice signs in and is subject to ACLs', async () => {
    process.env.CLI_TEST_ADMIN_PASSWORD = 'admin-from-env'
    const dataDir = join(dir.path, 'seeded')
    const { port, context } = await startCliBroker('--data-dir', dataDir, ...SECURED, '--add-scram', 'SCRAM-SHA-256=[name=admin,password-env=CLI_TEST_ADMIN_PASSWORD]')
    expect(context.err.join('')).toContain('INFO: created 2 SCRAM credential(s) for 1 configured user(s)')
    const asAdmin = ['--bootstrap-server', `127.0.0.1:${port}`, '--sasl-mechanism', 'SCRAM-SHA-512', '--sasl-username', 'admin', '--sasl-password', 'admin-from-env']

    // admin was seeded for both mechanisms, whichever the entry named.
    expect(await tributary('users', 'list', ...asAdmin)).toEqual({ code: 0, out: 'admin\tSCRAM-SHA-256 (4096 iterations), SCRAM-SHA-512 (4096 iterations)\n', err: '' })
    expect(await tributary('users', 'add', 'alice', '--password', 'alice-pw', ...asAdmin)).toEqual({ code: 0, out: 'user alice: SCRAM-SHA-256 and SCRAM-SHA-512 credentials set (4096 iterations)\n', err: '' })

    const alice = await signIn(port, 'scram-sha-256', 'alice', 'alice-pw')
    expect(alice).toBeDefined()
    const create = async () => (await alice!.request(CreateTopicsApi, { topics: [{ name: 'alice-orders', numPartitions: 1, replicationFactor: 1 }], timeoutMs: 5000 })).topics[0]!.errorCode
    expect(await create()).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
    expect((await tributary('acls', 'add', '--principal', 'User:alice', '--operation', 'create', '--operation', 'describe', '--topic', 'alice-orders', ...asAdmin)).code).toBe(0)
    expect(await create()).toBe(ErrorCode.NONE)
    alice!.close()
    const asAlice = ['--bootstrap-server', `127.0.0.1:${port}`, '--sasl-mechanism', 'SCRAM-SHA-256', '--sasl-username', 'alice', '--sasl-password', 'alice-pw']
    expect(await tributary('topics', 'list', ...asAlice)).toMatchObject({ code: 0, out: 'alice-orders\n' })
  })

  it('keeps a credential changed later: a restart with the same --add-scram does not overwrite it', async () => {
    const dataDir = join(dir.path, 'restart')
    const seed = ['--add-scram', 'SCRAM-SHA-512=[name=admin,password=first]']
    const first = await startCliBroker('--data-dir', dataDir, ...SECURED, ...seed)
    const asAdmin = (password: string) => ['--bootstrap-server', `127.0.0.1:${first.port}`, '--sasl-mechanism', 'SCRAM-SHA-512', '--sasl-username', 'admin', '--sasl-password', password]
    expect((await tributary('users', 'add', 'admin', '--password', 'second', ...asAdmin('first'))).code).toBe(0)
    const { context, exit } = running.pop()!
    context.signals.emit('SIGTERM', 'SIGTERM')
    expect(await exit).toBe(0)

    const again = await startCliBroker('--data-dir', dataDir, ...SECURED, ...seed)
    expect(again.context.err.join('')).not.toContain('created')
    expect(await signIn(again.port, 'scram-sha-512', 'admin', 'first')).toBeUndefined()
    const conn = await signIn(again.port, 'scram-sha-512', 'admin', 'second')
    expect(conn).toBeDefined()
    conn!.close()
  })

  it('serves PLAIN users from --plain-users-file', async () => {
    const file = join(dir.path, 'plain-users.json')
    writeFileSync(file, JSON.stringify({ carol: 'carol-pw' }))
    const { port } = await startCliBroker('--memory', '-c', 'listeners=SASL_PLAINTEXT://127.0.0.1:0', '--plain-users-file', file)
    const carol = await signIn(port, 'plain', 'carol', 'carol-pw')
    expect(carol).toBeDefined()
    carol!.close()
    expect(await signIn(port, 'plain', 'carol', 'wrong')).toBeUndefined()
  })

  it.each([
    [['--add-scram', 'SCRAM-SHA-256=[name=admin,password=top-secret,iterations=8192]'], '--add-scram "SCRAM-SHA-256=[name=admin,password=***,iterations=8192]": iterations cannot be set here'],
    [['--add-scram', 'SCRAM-SHA-1=[name=admin,password=x]'], 'unknown SCRAM mechanism "SCRAM-SHA-1"; expected SCRAM-SHA-256 or SCRAM-SHA-512'],
    [['--add-scram', 'SCRAM-SHA-256=[password=x]'], 'a user name is missing (name=<user>)'],
    [['--add-scram', 'SCRAM-SHA-256=[name=admin,password-env=CLI_TEST_UNSET_VARIABLE]'], 'the environment variable CLI_TEST_UNSET_VARIABLE (password-env) is not set'],
    [['--plain-users-file', join(dir.path, 'no-such-file.json')], `--plain-users-file ${join(dir.path, 'no-such-file.json')} cannot be read: ENOENT`],
  ])('refuses %j before starting: exit code 1 and a message naming the problem', async (args, message) => {
    const dataDir = join(dir.path, 'refused')
    const result = await tributary('broker', '--port', '0', '--data-dir', dataDir, ...args)
    expect(result.code).toBe(1)
    expect(result.out).toBe('')
    expect(result.err).toMatch(/^tributary: /m)
    expect(result.err).toContain(message)
    expect(result.err).not.toContain('top-secret')
    expect(existsSync(dataDir)).toBe(false)
  })

  it('bin/tributary.js exits 1 on a malformed --add-scram, naming it', async () => {
    const child = spawn(process.execPath, [LAUNCHER, 'broker', '--memory', '--add-scram', 'admin:admin-secret'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
    expect(code).toBe(1)
    expect(stderr).toBe(
      "tributary: --add-scram: an entry is not MECHANISM=[name=<user>,password=<password>]; for example 'SCRAM-SHA-256=[name=admin,password=admin-secret]'\n",
    )
  }, 30_000)
})
