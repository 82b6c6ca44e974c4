import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Admin, silentLogger, type Logger } from '@tributary/client'
import { startTestBroker, waitFor, type TestBroker } from '@tributary/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { atLeastOnce, exactlyOnce, fromTopic } from '../src/index.js'
import { FAST_CONSUMER, STREAMS_BROKER_CONFIGS, committedOffsets, createTopics, produce, topicName } from './helpers.js'

/**
 * Stopping at any point closes the consumer promptly: before it has connected, while it joins its
 * group, and while the app starts. (Before the fix, a join in progress kept retrying against a broker
 * that had gone away for defaultApiTimeoutMs, 60 s, and kept the process alive.)
 */
const BOUND_MS = 5_000

const root = fileURLToPath(new URL('..', import.meta.url))

/** A logger keeping each line with the time it was logged. */
function recordingLogger(): { logger: Logger; lines: { at: number; line: string }[] } {
  const lines: { at: number; line: string }[] = []
  const add = (level: string) => (message: string) => void lines.push({ at: Date.now(), line: `${level} ${message}` })
  return { lines, logger: { debug: add('DEBUG'), info: add('INFO'), warn: add('WARN'), error: add('ERROR') } }
}

const brokers: TestBroker[] = []
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.broker.close().catch(() => {})))
})

async function broker(configs: Record<string, string> = STREAMS_BROKER_CONFIGS): Promise<TestBroker> {
  const b = await startTestBroker({ configs })
  brokers.push(b)
  return b
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)))
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Runs test/fixtures/stop-while-starting.ts; resolves with its exit code, output and run time, killing it after `limitMs`. */
function runFixture(mode: string, limitMs: number): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'test/fixtures/stop-while-starting.ts', mode], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output, ms: Date.now() - started })
    })
  })
}

describe('fromTopic: unsubscribing while the consumer starts', () => {
  it('unsubscribe right after subscribe, then the broker closes: the consumer closes promptly and nothing retries afterwards', async () => {
    const b = await broker()
    const { logger, lines } = recordingLogger()
    let closed!: (error?: unknown) => void
    const whenClosed = new Promise<unknown>((resolve) => (closed = resolve))
    const subscription = fromTopic({ bootstrapServers: b.broker.bootstrapServers, logger, groupId: topicName('g'), topic: topicName('orders'), onClose: (error) => closed(error) }).subscribe({
      error: () => {},
    })
    subscription.unsubscribe()
    await b.broker.close()
    expect(await within(whenClosed, BOUND_MS, 'closing the consumer')).toBeUndefined()
    const closedAt = Date.now()
    await sleep(1_500)
    expect(lines.filter((l) => l.at > closedAt).map((l) => l.line)).toEqual([])
  })

  it('unsubscribe while JoinGroup is held by the group (initial rebalance delay): the join is abandoned and the member leaves', async () => {
    const b = await broker({ ...STREAMS_BROKER_CONFIGS, 'group.initial.rebalance.delay.ms': '30000' })
    const bootstrapServers = b.broker.bootstrapServers
    const topic = topicName('orders')
    const groupId = topicName('g')
    await createTopics(bootstrapServers, { [topic]: 1 })
    const admin = new Admin({ bootstrapServers, logger: silentLogger })
    try {
      let closed!: () => void
      const whenClosed = new Promise<void>((resolve) => (closed = resolve))
      const subscription = fromTopic({ bootstrapServers, logger: silentLogger, groupId, topic, consumer: FAST_CONSUMER, onClose: () => closed() }).subscribe({ error: () => {} })
      await waitFor(async () => ((await admin.describeGroups([groupId]))[0]?.members.length ?? 0) === 1, { timeoutMs: 5_000, message: 'the member joining' })
      subscription.unsubscribe()
      await within(whenClosed, BOUND_MS, 'closing the consumer')
      const [group] = await admin.describeGroups([groupId])
      expect(group!.members).toEqual([])
    } finally {
      await admin.close()
    }
  })

  it('the process of the README sample (unsubscribe, then close the broker) exits promptly', async () => {
    const { code, output, ms } = await runFixture('from-topic', 20_000)
    expect(output).toMatch(/stopped \d+/)
    expect(code).toBe(0)
    expect(ms).toBeLessThan(15_000)
  }, 30_000)
})

describe('fromTopic: unsubscribing after records were consumed', () => {
  /** Subscribes to `topic` (no periodic commit in the test's time) and waits until `count` records have been handled. */
  async function consumed(bootstrapServers: string, groupId: string, topic: string, count: number, logger: Logger) {
    let handled = 0
    let closed!: (error?: unknown) => void
    const whenClosed = new Promise<unknown>((resolve) => (closed = resolve))
    const subscription = fromTopic({ bootstrapServers, logger, groupId, topic, autoOffsetReset: 'earliest', commitIntervalMs: 600_000, consumer: FAST_CONSUMER, onClose: (error) => closed(error) }).subscribe({
      next: () => void handled++,
      error: () => {},
    })
    await waitFor(() => handled === count, { timeoutMs: 15_000, message: `${count} records handled` })
    return { subscription, whenClosed }
  }

  it('with the broker up: the settled offsets are committed as the partitions are revoked at close', async () => {
    const b = await broker()
    const bootstrapServers = b.broker.bootstrapServers
    const topic = topicName('orders')
    const groupId = topicName('g')
    await createTopics(bootstrapServers, { [topic]: 2 })
    await produce(bootstrapServers, Array.from({ length: 20 }, (_, i) => ({ topic, partition: i % 2, value: `v${i}` })))
    const { subscription, whenClosed } = await consumed(bootstrapServers, groupId, topic, 20, silentLogger)
    expect(await committedOffsets(bootstrapServers, groupId, topic)).toEqual(new Map())
    subscription.unsubscribe()
    expect(await within(whenClosed, BOUND_MS, 'closing the consumer')).toBeUndefined()
    expect(await committedOffsets(bootstrapServers, groupId, topic)).toEqual(new Map([[0, 10], [1, 10]]))
  })

  it('with the broker gone: the final commit is given up after the consumer\'s close timeout (30 s), with a warning, instead of retrying for defaultApiTimeoutMs (60 s)', async () => {
    const b = await broker()
    const bootstrapServers = b.broker.bootstrapServers
    const topic = topicName('orders')
    await createTopics(bootstrapServers, { [topic]: 1 })
    await produce(bootstrapServers, Array.from({ length: 10 }, (_, i) => ({ topic, partition: 0, value: `v${i}` })))
    const { logger, lines } = recordingLogger()
    const { subscription, whenClosed } = await consumed(bootstrapServers, topicName('g'), topic, 10, logger)
    await b.broker.close()
    const started = Date.now()
    subscription.unsubscribe()
    expect(await within(whenClosed, 40_000, 'closing the consumer')).toBeUndefined()
    expect(Date.now() - started).toBeGreaterThanOrEqual(29_000)
    const warning = lines.find((l) => l.line.startsWith('WARN Committing the settled offsets'))?.line
    expect(warning).toMatch(new RegExp(`^WARN Committing the settled offsets of ${topic}-0 failed: close\\(\\) ran out of time \\(timeoutMs: 30000 ms\\) before committing ${topic}-0 \\(offset 10\\)`))
  }, 50_000)
})

describe.each([
  ['exactlyOnce', exactlyOnce, 'exactly-once'],
  ['atLeastOnce', atLeastOnce, 'at-least-once'],
] as const)('%s: close() while the app starts', (_name, run, mode) => {
  it('with the broker gone: close(), start() and done settle promptly, and nothing retries afterwards', async () => {
    const b = await broker()
    const { logger, lines } = recordingLogger()
    const app = run({ application: topicName('app'), bootstrapServers: b.broker.bootstrapServers, logger, input: topicName('orders'), process: (records) => records })
    const starting = app.start()
    await b.broker.close()
    await within(Promise.all([app.close(), starting, app.done]), BOUND_MS, 'closing the app')
    const closedAt = Date.now()
    await sleep(1_500)
    expect(lines.filter((l) => l.at > closedAt).map((l) => l.line)).toEqual([])
  })

  it('while joining the group (initial rebalance delay): close() abandons the join and the member leaves', async () => {
    const b = await broker({ ...STREAMS_BROKER_CONFIGS, 'group.initial.rebalance.delay.ms': '30000' })
    const bootstrapServers = b.broker.bootstrapServers
    const input = topicName('orders')
    const application = topicName('app')
    await createTopics(bootstrapServers, { [input]: 1 })
    const admin = new Admin({ bootstrapServers, logger: silentLogger })
    try {
      const app = run({ application, bootstrapServers, logger: silentLogger, input, consumer: FAST_CONSUMER, process: (records) => records })
      await app.start()
      await waitFor(async () => ((await admin.describeGroups([application]))[0]?.members.length ?? 0) === 1, { timeoutMs: 5_000, message: 'the member joining' })
      await within(app.close(), BOUND_MS, 'closing the app')
      const [group] = await admin.describeGroups([application])
      expect(group!.members).toEqual([])
    } finally {
      await admin.close()
    }
  })

  it('the process (start, close the broker, close the app) exits promptly', async () => {
    const { code, output, ms } = await runFixture(mode, 20_000)
    expect(output).toMatch(/stopped \d+/)
    expect(code).toBe(0)
    expect(ms).toBeLessThan(15_000)
  }, 30_000)
})
