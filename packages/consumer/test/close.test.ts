import { Admin, silentLogger, type Logger } from '@tributary/client'
import { randomTopic, startTestBroker, waitFor, type TestBroker } from '@tributary/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { Consumer, type ConsumerOptions } from '../src/index.js'
import { FAST_GROUP_CONFIGS, newTopic, produceValues } from './helpers.js'

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

function consumer(b: TestBroker, groupId: string, logger: Logger = silentLogger, options: Partial<ConsumerOptions> = {}): Consumer {
  const c = new Consumer({ bootstrapServers: b.broker.bootstrapServers, groupId, logger, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 200, retryBackoffMs: 50, ...options })
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

/** The group's committed offsets of `topic`, by partition (only partitions with a commit). */
async function committedOffsets(b: TestBroker, groupId: string, topic: string): Promise<Record<number, bigint>> {
  const admin = new Admin({ bootstrapServers: b.broker.bootstrapServers, logger: silentLogger })
  try {
    const offsets = await admin.fetchGroupOffsets(groupId, { topics: [topic] })
    return Object.fromEntries(offsets.filter((o) => o.offset !== null && o.offset >= 0n).map((o) => [o.partition, o.offset!]))
  } finally {
    await admin.close()
  }
}

/** Subscribes `c` to `topic` and processes records with `run()` until `count` have been handled; returns the run's promise. */
async function consume(c: Consumer, topic: string, count: number, eachMessage: () => unknown = () => {}): Promise<{ running: Promise<void>; handled: () => number }> {
  let handled = 0
  await c.subscribe([topic])
  const running = c.run({
    eachMessage: async () => {
      await eachMessage()
      handled++
    },
  })
  await waitFor(() => handled >= count, { timeoutMs: 15_000, message: `${count} records handled` })
  return { running, handled: () => handled }
}

describe('close() with offsets to commit', () => {
  it('the broker goes away after records were consumed: close({ timeoutMs }) gives the commit up in time, warns naming the partitions, and resolves', async () => {
    const b = await broker()
    const topic = await newTopic(b, 2)
    await produceValues(b, topic, [0, 1], 10)
    const { logger, lines } = recordingLogger()
    // No auto-commit round before close: the offsets are committed when the partitions are revoked at close.
    const c = consumer(b, randomTopic('g'), logger, { autoOffsetReset: 'earliest', autoCommitIntervalMs: 60_000 })
    const { running } = await consume(c, topic, 20)
    await b.broker.close()
    const took = await timed(Promise.all([c.close({ timeoutMs: 1_000 }), running]))
    // Without the bound, the commit retried for defaultApiTimeoutMs (60 s).
    expect(took).toBeLessThan(CLOSE_BOUND_MS)
    expect(took).toBeGreaterThanOrEqual(900)
    const warning = lines.find((l) => l.line.startsWith('WARN Committing revoked partitions'))?.line
    expect(warning).toContain(`${topic}-0 (offset 10), ${topic}-1 (offset 10)`)
    expect(warning).toMatch(/close\(\) ran out of time \(timeoutMs: 1000 ms\).*may not be committed/)
    expect(lines.some((l) => /^WARN LeaveGroup failed: close\(\) ran out of time/.test(l.line))).toBe(true)
  })

  it('an auto-commit retrying against a broker that has gone away is given up when close()\'s time runs out', async () => {
    const b = await broker()
    const topic = await newTopic(b, 1)
    await produceValues(b, topic, [0], 20)
    const { logger, lines } = recordingLogger()
    const c = consumer(b, randomTopic('g'), logger, { autoOffsetReset: 'earliest', autoCommitIntervalMs: 100 })
    // Slow handling: the records fetched before the broker goes away are processed after it has.
    const { running, handled } = await consume(c, topic, 1, () => sleep(40))
    await b.broker.close()
    await waitFor(() => handled() === 20, { timeoutMs: 10_000, message: 'the fetched records handled' })
    // An auto-commit of the newer positions is under way, retrying.
    await waitFor(() => lines.some((l) => /^DEBUG Retrying/.test(l.line)), { timeoutMs: 5_000, message: 'a commit retrying' })
    const took = await timed(Promise.all([c.close({ timeoutMs: 1_000 }), running]))
    expect(took).toBeLessThan(CLOSE_BOUND_MS)
    const warnings = lines.filter((l) => l.line.startsWith('WARN')).map((l) => l.line)
    expect(warnings.some((w) => w.startsWith('WARN Auto-commit failed: close() ran out of time') && w.includes(`${topic}-0 (offset`))).toBe(true)
    expect(warnings.some((w) => w.startsWith(`WARN Committing revoked partitions ${topic}-0 failed`) && w.includes(`${topic}-0 (offset 20)`))).toBe(true)
  })

  it('with the broker up, the default close() commits what was processed before leaving', async () => {
    const b = await broker()
    const topic = await newTopic(b, 2)
    await produceValues(b, topic, [0, 1], 10)
    const groupId = randomTopic('g')
    const c = consumer(b, groupId, silentLogger, { autoOffsetReset: 'earliest', autoCommitIntervalMs: 60_000 })
    const { running } = await consume(c, topic, 20)
    expect(await committedOffsets(b, groupId, topic)).toEqual({})
    const took = await timed(Promise.all([c.close(), running]))
    expect(took).toBeLessThan(CLOSE_BOUND_MS)
    expect(await committedOffsets(b, groupId, topic)).toEqual({ 0: 10n, 1: 10n })
  })

  it('onPartitionsRevoked may commit at close (without auto-commit)', async () => {
    const b = await broker()
    const topic = await newTopic(b, 1)
    await produceValues(b, topic, [0], 10)
    const groupId = randomTopic('g')
    const c = consumer(b, groupId, silentLogger, { autoOffsetReset: 'earliest', enableAutoCommit: false })
    let handled = 0
    await c.subscribe([topic], { onPartitionsRevoked: () => c.commit() })
    const running = c.run({ eachMessage: () => void handled++ })
    await waitFor(() => handled === 10, { timeoutMs: 15_000, message: '10 records handled' })
    await Promise.all([c.close(), running])
    expect(await committedOffsets(b, groupId, topic)).toEqual({ 0: 10n })
    await expect(c.commit()).rejects.toMatchObject({ code: 'CLIENT_CLOSED' })
  })

  it('commit() from a handler still running when close() begins is refused, as before (close does not wait on it)', async () => {
    const b = await broker()
    const topic = await newTopic(b, 1)
    await produceValues(b, topic, [0], 1)
    const c = consumer(b, randomTopic('g'), silentLogger, { autoOffsetReset: 'earliest', enableAutoCommit: false })
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let inHandler = false
    await c.subscribe([topic])
    let commitError: unknown
    const running = c.run({
      eachMessage: async () => {
        inHandler = true
        await held
        commitError = await c.commit().catch((err: unknown) => err)
      },
    })
    await waitFor(() => inHandler, { timeoutMs: 15_000, message: 'the handler running' })
    const closing = c.close()
    release()
    await Promise.all([closing, running.catch(() => {})])
    expect(commitError).toMatchObject({ code: 'CLIENT_CLOSED' })
  })

  it('refuses an invalid timeoutMs, naming the option, without closing', async () => {
    const c = new Consumer({ bootstrapServers: 'localhost:1', groupId: 'g', logger: silentLogger })
    consumers.push(c)
    await expect(c.close({ timeoutMs: -1 })).rejects.toThrow(/timeoutMs must be a non-negative integer \(milliseconds\), got -1/)
    await expect(c.close({ timeoutMs: 1.5 })).rejects.toThrow(/timeoutMs must be a non-negative integer/)
    await expect(c.close({ timeoutMs: '1000' as unknown as number })).rejects.toThrow(/timeoutMs must be a non-negative integer.*got "1000"/)
    await expect(c.close(1000 as never)).rejects.toThrow(/close\(\) takes an options object/)
    // Still open: it can subscribe, then close.
    await c.subscribe(['t'])
    await c.close({ timeoutMs: 0 })
  })
})
