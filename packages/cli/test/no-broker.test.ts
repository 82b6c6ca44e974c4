import { spawn } from 'node:child_process'
import { createServer, type Server, type Socket } from 'node:net'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { startBroker, type Broker } from '@tributary/broker'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../src/index.js'
import { fakeContext } from './helpers.js'

const LAUNCHER = fileURLToPath(new URL('../bin/tributary.js', import.meta.url))

/**
 * How long a command facing no broker may take: the default --connect-timeout-ms is 5 s; the bound
 * leaves room for a loaded machine (and, spawned, for node and tsx starting). It only checks that the
 * command does not go on retrying for the client's 30 s.
 */
const BOUND_MS = 20_000

/** A local port nothing listens on (one the system just handed out and took back). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A server that accepts connections and never answers (a hung broker, or not a broker at all). */
async function silentServer(): Promise<number> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((s) => void sockets.add(s))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  )
  return (server.address() as { port: number }).port
}

/** Runs `tributary <args>` in-process; resolves with the exit code, output and how long it took. */
async function tributary(args: string[]): Promise<{ code: number; out: string; err: string; ms: number }> {
  const ctx = { ...fakeContext(), stdin: Readable.from(['a record\n']) }
  const started = Date.now()
  const code = await main(['node', 'tributary', ...args], ctx)
  return { code, out: ctx.out.join(''), err: ctx.err.join(''), ms: Date.now() - started }
}

const HINT = '(--bootstrap-server, --connect-timeout-ms)'

describe('commands facing no broker fail fast', () => {
  it('bin/tributary.js topics list: exit 1 within seconds, with one line naming the server and the failure', async () => {
    const port = await closedPort()
    const started = Date.now()
    const child = spawn(process.execPath, [LAUNCHER, 'topics', 'list', '--bootstrap-server', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
    cleanups.push(() => void child.kill('SIGKILL'))
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text))
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
    const elapsed = Date.now() - started
    expect(stderr).toBe(`tributary: could not connect to 127.0.0.1:${port}: connect ECONNREFUSED; is a broker running there? ${HINT}\n`)
    expect(stdout).toBe('')
    expect(code).toBe(1)
    expect(elapsed).toBeLessThan(BOUND_MS)
  }, 60_000)

  it('every command that talks to a broker, within --connect-timeout-ms', async () => {
    const server = ['--bootstrap-server', `127.0.0.1:${await closedPort()}`, '--connect-timeout-ms', '1000']
    const commands = [
      ['topics', 'list'],
      ['topics', 'describe', 'orders'],
      ['topics', 'create', 'orders'],
      ['groups', 'list'],
      ['groups', 'describe', 'billing'],
      ['produce', 'orders'],
      ['consume', 'orders', '--max-messages', '1'],
      ['users', 'list'],
      ['acls', 'list'],
    ]
    const results = await Promise.all(commands.map((c) => tributary([...c, ...server])))
    results.forEach((r, i) => {
      const what = commands[i]!.join(' ')
      expect(r.err, what).toMatch(/^tributary: could not connect to 127\.0\.0\.1:\d+: connect ECONNREFUSED; is a broker running there\? \(--bootstrap-server, --connect-timeout-ms\)\n$/)
      expect(r.code, what).toBe(1)
      expect(r.out, what).toBe('')
      expect(r.ms, what).toBeLessThan(BOUND_MS / 2)
    })
  })

  it('a server that accepts connections but never answers, and several bootstrap servers', async () => {
    const silent = await silentServer()
    const refused = await closedPort()
    const one = await tributary(['topics', 'list', '--bootstrap-server', `127.0.0.1:${silent}`, '--connect-timeout-ms', '1000'])
    expect(one).toMatchObject({ code: 1, out: '', err: `tributary: could not connect to 127.0.0.1:${silent}: no answer to ApiVersions within 1000 ms; is a broker running there? ${HINT}\n` })
    expect(one.ms).toBeLessThan(BOUND_MS / 2)
    const both = await tributary(['users', 'list', '--bootstrap-server', `127.0.0.1:${silent},127.0.0.1:${refused}`, '--connect-timeout-ms', '1000'])
    expect(both.code).toBe(1)
    expect(both.err).toMatch(
      new RegExp(
        `^tributary: could not connect to any of 127\\.0\\.0\\.1:${silent} \\(no answer to ApiVersions within \\d+ ms\\), 127\\.0\\.0\\.1:${refused} \\(connect ECONNREFUSED\\); is a broker running at one of them\\? \\(--bootstrap-server, --connect-timeout-ms\\)\\n$`,
      ),
    )
    expect(both.ms).toBeLessThan(BOUND_MS / 2)
  })

  it('finds a broker that starts while the command is still trying', async () => {
    const port = await closedPort()
    let broker: Broker | undefined
    const starting = new Promise<void>((resolve) =>
      setTimeout(() => {
        void startBroker({ port, host: '127.0.0.1', storage: 'memory', logger: { info() {}, warn() {}, error() {} } }).then((b) => {
          broker = b
          resolve()
        })
      }, 700),
    )
    cleanups.push(async () => {
      await starting
      await broker?.close()
    })
    const created = await tributary(['topics', 'create', 'late', '--bootstrap-server', `127.0.0.1:${port}`, '--connect-timeout-ms', '15000'])
    expect(created).toMatchObject({ code: 0, out: 'created topic late (1 partitions, replication factor 1)\n', err: '' })
  })

  it('rejects a --connect-timeout-ms that is not a positive whole number', async () => {
    const bad = await tributary(['topics', 'list', '--connect-timeout-ms', '0'])
    expect(bad.code).not.toBe(0)
    expect(bad.err).toMatch(/--connect-timeout-ms <ms>' argument '0' is invalid/)
  })
})
