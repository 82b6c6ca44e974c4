import type { TestBroker } from '@tributary/testkit'
import { requireKcat, runKcat, waitFor } from '@tributary/testkit'
import { Kafka, logLevel } from 'kafkajs'
import { map } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { aggregate, defineTopic, exactlyOnce, type StreamsApp } from '../src/index.js'
import { FAST_CONSUMER, createTopics, logger, readAll, startBroker, topicName, waitForCommitted } from './helpers.js'

const RECORDS = 100

describe('interop: output of an exactly-once pipeline read by kafkajs 2.2.4 and kcat', () => {
  let t: TestBroker
  let bootstrapServers: string
  let input: string
  let output: string
  let app: StreamsApp
  const expectedFinal = new Map<string, number>()

  beforeAll(async () => {
    t = await startBroker()
    bootstrapServers = t.broker.bootstrapServers
    input = topicName('interop-in')
    output = topicName('interop-out')
    await createTopics(bootstrapServers, { [input]: 2, [output]: 2 })
    // kafkajs writes the input.
    const kafka = new Kafka({ clientId: 'streams-interop', brokers: [bootstrapServers], logLevel: logLevel.NOTHING })
    const producer = kafka.producer()
    await producer.connect()
    const messages = Array.from({ length: RECORDS }, (_, i) => ({ key: `c${i % 4}`, value: JSON.stringify({ amount: i }) }))
    await producer.send({ topic: input, messages })
    await producer.disconnect()
    for (const [i, m] of messages.entries()) expectedFinal.set(m.key, (expectedFinal.get(m.key) ?? 0) + i)

    // The pipeline fails once in the middle of its first transaction, so the log holds an aborted attempt.
    let failed = false
    const application = topicName('interop')
    app = exactlyOnce({
      application,
      bootstrapServers,
      logger,
      input: defineTopic(input, { value: z.object({ amount: z.number() }) }),
      output: defineTopic(output, { value: z.object({ total: z.number() }) }),
      commitIntervalMs: 60_000,
      consumer: FAST_CONSUMER,
      process: (orders$) =>
        orders$.pipe(
          map((r) => {
            if (!failed && r.value.amount === 60) {
              failed = true
              throw new Error('a transient failure')
            }
            return r
          }),
          aggregate(() => 0, (sum, r) => sum + r.value.amount, { store: 'sums' }),
          map(({ key, value }) => ({ key, value: { total: value } })),
        ),
    })
    await app.start()
    await waitFor(() => app.metrics().aborts === 1 && app.metrics().recordsProcessed >= RECORDS + 1, { timeoutMs: 20_000, message: 'the failure and the retry' })
    await app.close()
    await waitForCommitted(bootstrapServers, application, input, 5_000)
  }, 60_000)
  afterAll(async () => {
    await t.broker.close()
  })

  const check = (rows: { key: string; value: string }[]) => {
    expect(rows).toHaveLength(RECORDS)
    const finals = new Map<string, number>()
    for (const r of rows) finals.set(r.key, (JSON.parse(r.value) as { total: number }).total)
    expect(finals).toEqual(expectedFinal)
  }

  it('the log holds the aborted attempt too (read_uncommitted sees more)', async () => {
    const all = await readAll(bootstrapServers, output, 'read_uncommitted')
    console.log(`interop: ${all.length - RECORDS} output records of the aborted transaction are in the log`)
    expect(all.length).toBeGreaterThan(RECORDS)
  })

  it('kafkajs (read_committed) reads exactly the committed outputs', async () => {
    const kafka = new Kafka({ clientId: 'streams-interop', brokers: [bootstrapServers], logLevel: logLevel.NOTHING })
    const consumer = kafka.consumer({ groupId: topicName('kafkajs-reader'), readUncommitted: false, maxWaitTimeInMs: 100, sessionTimeout: 6_000, heartbeatInterval: 500 })
    const rows: { key: string; value: string }[] = []
    await consumer.connect()
    try {
      await consumer.subscribe({ topic: output, fromBeginning: true })
      await consumer.run({ eachMessage: async ({ message }) => void rows.push({ key: message.key!.toString(), value: message.value!.toString() }) })
      await waitFor(() => rows.length >= RECORDS, { timeoutMs: 20_000, message: 'kafkajs to read the output' })
      await new Promise((r) => setTimeout(r, 300)) // anything beyond RECORDS would be a duplicate
    } finally {
      await consumer.disconnect()
    }
    check(rows)
  }, 30_000)

  it('kcat (isolation.level=read_committed) reads exactly the committed outputs', async (ctx) => {
    requireKcat(ctx)
    const { stdout } = await runKcat(['-C', '-b', bootstrapServers, '-t', output, '-o', 'beginning', '-e', '-q', '-X', 'isolation.level=read_committed', '-f', '%k\t%s\n'])
    const rows = stdout
      .toString('utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => {
        const [key, value] = l.split('\t')
        return { key: key!, value: value! }
      })
    check(rows)
  })
})
