import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { ApiVersionsApi, FetchApi, encodeRecordBatch, encodeRequestFrame } from '@tributary/protocol'
import { RawClient, createTopic, produce, startTestBroker, waitFor } from '@tributary/testkit'
import { describe, expect, it } from 'vitest'
import { nonReader } from './fixtures/hostile-clients.js'
import { makeTestCerts } from './fixtures/tls-certs.js'

const SCRIPT = fileURLToPath(new URL('./fixtures/close-after-late-request.ts', import.meta.url))
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url))
/** What `close()` may take at most: 3 s for answers in flight, then 1 s for a socket to close before it is cut. */
const CLOSE_BOUND_MS = 4_000
const MIB = 1024 * 1024

/** Resolves with what `promise` resolves to, or rejects once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)))
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

describe('broker.close()', () => {
  it('settles with nothing else keeping the process alive when a client closes after shutdown paused reading its connection', async () => {
    // A paused socket never notices the client's close; the timer that cuts it must still fire in
    // a process that has nothing else to do, or a top-level `await broker.close()` ends with exit code 13.
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', SCRIPT], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text))
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text))
    const code = await within(new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c))), 20_000, 'the broker process').finally(() => child.kill('SIGKILL'))
    expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/closed in \d+ ms/) })
  }, 30_000)

  it('ends every connection within a bound: a client that never reads its answers, one that never closes its side, an idle one', async () => {
    const { broker, log } = await startTestBroker({ configs: { 'queued.max.response.bytes': String(64 * 1024) } })
    const setup = await RawClient.connect(broker.port)
    await createTopic(setup, 'big')
    for (let i = 0; i < 8; i++) await produce(setup, 'big', 0, encodeRecordBatch({ records: [{ value: Buffer.alloc(64 * 1024, i) }] }))

    // Asks for 50 answers of 512 KiB and reads none: the broker stops reading it, its answers stay unsent.
    const fetch = encodeRequestFrame(FetchApi, 12, { correlationId: 1, clientId: 'non-reader' }, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: MIB,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: 'big', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: MIB, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1n }] }],
    })
    const stuck = await nonReader(broker.port, fetch, 50)
    await waitFor(() => log.matching(/client "non-reader".*reading paused/).length > 0)

    // Reads, but keeps its side open after the broker ends its own.
    const halfOpen = connect({ port: broker.port, host: '127.0.0.1', allowHalfOpen: true })
    const halfOpenEnded = new Promise<void>((resolve) => halfOpen.once('end', () => resolve()))
    halfOpen.on('error', () => {})
    await new Promise<void>((resolve) => {
      halfOpen.once('connect', () => halfOpen.write(encodeRequestFrame(ApiVersionsApi, 0, { correlationId: 1, clientId: 'half-open' }, {})))
      halfOpen.once('data', () => resolve())
    })

    try {
      const started = Date.now()
      // Settling means every connection's socket has closed on the broker's side.
      await within(broker.close(), CLOSE_BOUND_MS + 4_000, 'broker.close()')
      expect(Date.now() - started).toBeLessThan(CLOSE_BOUND_MS + 2_000)
      expect(log.matching(/closed after \d+ request\(s\)/)).toHaveLength(3)
      // The clients that read saw the broker end the connection.
      await within(Promise.all([setup.closed, halfOpenEnded]), 2_000, 'the reading clients seeing the end')
    } finally {
      stuck.socket.destroy()
      halfOpen.destroy()
    }
  }, 30_000)

  it('cuts a client that never finishes its TLS handshake instead of waiting for it', async () => {
    const certs = makeTestCerts()
    const { broker } = await startTestBroker({ listeners: ['SSL://127.0.0.1:0'], tls: { certFile: certs.serverCert, keyFile: certs.serverKey } })
    // Connected over TCP, and never sends a ClientHello: not a connection of the broker yet.
    const stuck = connect({ port: broker.port, host: '127.0.0.1' })
    stuck.on('error', () => {})
    const stuckClosed = new Promise<void>((resolve) => stuck.once('close', () => resolve()))
    try {
      await new Promise<void>((resolve) => stuck.once('connect', () => resolve()))
      await within(broker.close(), CLOSE_BOUND_MS + 4_000, 'broker.close()')
      await within(stuckClosed, 2_000, 'the client seeing its socket closed')
    } finally {
      stuck.destroy()
      certs.remove()
    }
  }, 30_000)
})
