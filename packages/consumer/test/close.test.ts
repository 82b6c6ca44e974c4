import { Admin, silentLogger, type Logger } from '@tributary/client'
import { randomTopic, startTestBroker, waitFor, type TestBroker } from '@tributary/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { Consumer } from '../src/index.js'
import { FAST_GROUP_CONFIGS } from './helpers.js'

/** How long a close may take when a join has to be abandoned (it takes a few ms; the retries it replaces ran for defaultApiTimeoutMs, 60 s). */
const CLOSE_BOUND_MS = 5_000

/** A logger keeping `LEVEL message` lines with the time they were logged. */
function recordingLogger(): { logger: Logger; lines: { at: number; line: string }[] } {
  const lines: { at: number; line: string }[] = []
  const add = (level: string) => (message: string) => {
    lines.push({ at: Date.now(), line: `${level} ${message}` })
    if (process.env.TRIBUTARY_TEST_LOG === '1') process.stderr.write(`${level} ${message}\n`)
  }
  return { lines, logger: { debug: add('DEBUG'), info: add('INFO'), warn: add('WARN'), error: add('ERROR') } }
}

const brokers: TestBroker[] = []
const consumers: Consumer[] = []
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.close().catch(() => {})))
  await Promise.all(brokers.splice(0).map((b) => b.broker.close().catch(() => {})))
})

async function broker(configs: Record<string, string> = FAST_GROUP_CONFIGS): Promise<TestBroker> {
  const b = await startTestBroker({ configs })
  brokers.push(b)
  return b
}

function consumer(b: TestBroker, groupId: string, logger: Logger = silentLogger): Consumer {
  const c = new Consumer({ bootstrapServers: b.broker.bootstrapServers, groupId, logger, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 200, retryBackoffMs: 50 })
  consumers.push(c)
  return c
}

async function timed(promise: Promise<unknown>): Promise<number> {
  const started = Date.now()
  await promise
  return Date.now() - started
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('close() during a join', () => {
  it('subscribe, the broker goes away, close(): resolves promptly and nothing keeps retrying afterwards', async () => {
    const b = await broker()
    const { logger, lines } = recordingLogger()
    const c = consumer(b, randomTopic('g'), logger)
    await c.subscribe([randomTopic('t')])
    await b.broker.close()
    const took = await timed(c.close())
    expect(took).toBeLessThan(CLOSE_BOUND_MS)
    // No retry or reconnect loop outlives close(): nothing is logged once it has resolved.
    const closedAt = Date.now()
    await sleep(1_500)
    expect(lines.filter((l) => l.at > closedAt).map((l) => l.line)).toEqual([])
  })

  it('close() while the broker is unreachable mid-join (the join retrying) resolves promptly, and run() ends', async () => {
    const b = await broker()
    const { logger, lines } = recordingLogger()
    const c = consumer(b, randomTopic('g'), logger)
    await c.subscribe([randomTopic('t')])
    const running = c.run({ eachMessage: () => {} })
    await b.broker.close()
    // Let the rebalance meet the dead broker and start retrying.
    await waitFor(() => lines.some((l) => /Retrying|Could not connect/.test(l.line)), { timeoutMs: 5_000, message: 'the join retrying' })
    const took = await timed(Promise.all([c.close(), running]))
    expect(took).toBeLessThan(CLOSE_BOUND_MS)
    const closedAt = Date.now()
    await sleep(1_500)
    expect(lines.filter((l) => l.at > closedAt).map((l) => l.line)).toEqual([])
  })

  it('close() before subscribe() has resolved: the member never starts joining', async () => {
    const b = await broker()
    const { logger, lines } = recordingLogger()
    const c = consumer(b, randomTopic('g'), logger)
    const subscribing = c.subscribe([randomTopic('t')])
    const took = await timed(Promise.all([c.close(), subscribing]))
    expect(took).toBeLessThan(CLOSE_BOUND_MS)
    await sleep(500)
    expect(lines.filter((l) => /Joining group|Retrying|Could not connect/.test(l.line))).toEqual([])
  })

  it('close() while JoinGroup waits for the group (initial rebalance delay) abandons the join and leaves the group', async () => {
    const b = await broker({ ...FAST_GROUP_CONFIGS, 'group.initial.rebalance.delay.ms': '30000' })
    const groupId = randomTopic('g')
    const admin = new Admin({ bootstrapServers: b.broker.bootstrapServers, logger: silentLogger })
    try {
      const c = consumer(b, groupId)
      await c.subscribe([randomTopic('t')])
      // The member (with the id the coordinator assigned) is in the group, its JoinGroup held by the delay.
      await waitFor(async () => ((await admin.describeGroups([groupId]))[0]?.members.length ?? 0) === 1, { timeoutMs: 5_000, message: 'the member joining' })
      const took = await timed(c.close())
      expect(took).toBeLessThan(CLOSE_BOUND_MS)
      // LeaveGroup removed the member at once (without it, the coordinator would keep it for the delay and its session).
      const [group] = await admin.describeGroups([groupId])
      expect(group!.members).toEqual([])
    } finally {
      await admin.close()
    }
  })
})
