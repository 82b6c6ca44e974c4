import { delay, map, of, timer } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { TestBroker } from '@tributary/testkit'
import { DEAD_LETTER_HEADERS, aggregate, defineTopic, exactlyOnce, joinTable, mapAsync, topicTable, type StreamsApp } from '../src/index.js'
import { verify } from './crash-harness.js'
import { FAST_CONSUMER, committedOffsets, createTopics, logger, produce, readAll, startBroker, topicName, waitForCommitted } from './helpers.js'

describe('exactlyOnce: in-process behaviour', () => {
  let t: TestBroker
  let bootstrapServers: string
  const apps: StreamsApp[] = []
  beforeAll(async () => {
    t = await startBroker()
    bootstrapServers = t.broker.bootstrapServers
  })
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close().catch(() => {})))
    await t.broker.close()
  })

  it('aggregates per key, commits outputs with offsets, and sends invalid records to the dead-letter topic', async () => {
    const input = topicName('orders')
    const output = topicName('totals')
    const application = topicName('app')
    await createTopics(bootstrapServers, { [input]: 2, [output]: 2 })
    const orders = defineTopic(input, { value: z.object({ amount: z.number().int() }) })
    const totals = defineTopic(output, { value: z.object({ total: z.number(), count: z.number() }) })
    const records = Array.from({ length: 200 }, (_, i) => ({ topic: input, key: `c${i % 5}`, value: i === 17 ? '{"amount":"lots"}' : JSON.stringify({ amount: i }) }))
    await produce(bootstrapServers, records)
    const app = exactlyOnce({
      application,
      bootstrapServers,
      logger,
      input: orders,
      output: totals,
      consumer: FAST_CONSUMER,
      process: (orders$) =>
        orders$.pipe(
          aggregate(() => ({ total: 0, count: 0 }), (acc, r) => ({ total: acc.total + r.value.amount, count: acc.count + 1 }), { store: 'totals' }),
          map(({ key, value }) => ({ key, value })),
        ),
    })
    apps.push(app)
    await app.start()
    await waitForCommitted(bootstrapServers, application, input)
    const out = await readAll(bootstrapServers, output)
    expect(out).toHaveLength(199)
    const finals = new Map<string, { total: number; count: number }>()
    for (const r of out) finals.set(r.key!.toString(), JSON.parse(r.value!.toString()))
    for (let k = 0; k < 5; k++) {
      const mine = records.map((r, i) => ({ r, i })).filter(({ r, i }) => r.key === `c${k}` && i !== 17)
      expect(finals.get(`c${k}`)).toEqual({ total: mine.reduce((s, { i }) => s + i, 0), count: mine.length })
    }
    const dlq = await readAll(bootstrapServers, `${input}-dlq`)
    expect(dlq).toHaveLength(1)
    expect(dlq[0]!.value!.toString()).toBe('{"amount":"lots"}')
    expect(dlq[0]!.headers[DEAD_LETTER_HEADERS.error]!.toString()).toMatch(/amount: expected number/)
    expect(dlq[0]!.headers[DEAD_LETTER_HEADERS.topic]!.toString()).toBe(input)
    expect(app.metrics()).toMatchObject({ deadLettered: 1 })
    const changelog = await readAll(bootstrapServers, `${application}-totals-changelog`)
    expect(changelog.length).toBeGreaterThan(0)
    await app.close()
    await expect(app.done).resolves.toBeUndefined()
  })

  const allCommitted = (application: string, input: string) => waitForCommitted(bootstrapServers, application, input)

  it('fences a zombie: a second instance with the same id takes over, the first fails with PRODUCER_FENCED, outputs stay exact', async () => {
    const input = topicName('fence-in')
    const output = topicName('fence-out')
    const application = topicName('fence')
    await createTopics(bootstrapServers, { [input]: 2, [output]: 2 })
    const orders = defineTopic(input, { value: z.object({ amount: z.number() }) })
    const totals = defineTopic(output, { value: z.object({ total: z.number(), count: z.number(), partition: z.number(), offset: z.number() }) })
    const make = () =>
      exactlyOnce({
        application,
        instanceId: 'same',
        staticMembership: false,
        bootstrapServers,
        logger,
        input: orders,
        output: totals,
        consumer: FAST_CONSUMER,
        process: (orders$) =>
          orders$.pipe(
            aggregate(
              () => ({ total: 0, count: 0, partition: -1, offset: -1 }),
              (acc, r) => ({ total: acc.total + r.value.amount, count: acc.count + 1, partition: r.partition, offset: Number(r.offset) }),
              { store: 'totals' },
            ),
            map(({ key, value }) => ({ key, value })),
          ),
      })
    const batch = (from: number) => Array.from({ length: 500 }, (_, i) => ({ topic: input, key: `k${(from + i) % 7}`, value: JSON.stringify({ amount: from + i }) }))
    await produce(bootstrapServers, batch(0))
    const zombie = make()
    apps.push(zombie)
    await zombie.start()
    await allCommitted(application, input)
    const successor = make()
    apps.push(successor)
    await successor.start()
    await produce(bootstrapServers, batch(500))
    const error = await zombie.done.then(() => undefined, (e: unknown) => e)
    expect(error).toMatchObject({ code: expect.stringMatching(/PRODUCER_FENCED|INVALID_PRODUCER_EPOCH/) })
    await produce(bootstrapServers, batch(1000))
    await allCommitted(application, input)
    await successor.close()
    const verdict = verify(await readAll(bootstrapServers, input), await readAll(bootstrapServers, output))
    expect(verdict).toMatchObject({ outputs: 1500, duplicates: 0, missing: 0, badSequences: [], overCount: 0 })
  }, 60_000)

  it('gives up after processingRetries failures in a row: the app fails and nothing is committed', async () => {
    const input = topicName('poison-in')
    const output = topicName('poison-out')
    const application = topicName('poison')
    await createTopics(bootstrapServers, { [input]: 1, [output]: 1 })
    await produce(bootstrapServers, [{ topic: input, key: 'a', value: 'x' }])
    const app = exactlyOnce({
      application,
      bootstrapServers,
      logger,
      input,
      output,
      processingRetries: 2,
      consumer: FAST_CONSUMER,
      process: (records$) =>
        records$.pipe(
          map(() => {
            throw new Error('poison')
          }),
        ),
    })
    apps.push(app)
    const aborts: string[] = []
    app.events.subscribe((e) => e.type === 'aborted' && aborts.push(e.reason))
    await app.start()
    const error = await app.done.then(() => undefined, (e: unknown) => e)
    expect(error).toMatchObject({ code: 'PROCESSING_FAILED', message: expect.stringMatching(/failed 3 times in a row.*poison/) })
    expect(aborts).toEqual(['processing failed: poison', 'processing failed: poison'])
    expect(await committedOffsets(bootstrapServers, application, input)).toEqual(new Map())
  }, 30_000)

  it('refuses outputs emitted after their input record was processed (an RxJS delay), instead of committing them uncovered', async () => {
    const input = topicName('late-out-in')
    const application = topicName('late-out')
    await createTopics(bootstrapServers, { [input]: 1 })
    await produce(bootstrapServers, [{ topic: input, key: 'a', value: 'x' }])
    const app = exactlyOnce({ application, bootstrapServers, logger, input, output: input, processingRetries: 0, consumer: FAST_CONSUMER, process: (records$) => records$.pipe(delay(5)) })
    apps.push(app)
    await app.start()
    const error = await app.done.then(() => undefined, (e: unknown) => e)
    expect(error).toMatchObject({ code: 'PROCESSING_FAILED', cause: expect.objectContaining({ code: 'OUTSIDE_PROCESSING' }) })
  }, 30_000)

  it('joins with a table read from a compacted topic and commits asynchronous steps made with mapAsync', async () => {
    const customersTopic = topicName('customers')
    const input = topicName('join-in')
    const output = topicName('join-out')
    const application = topicName('join')
    await createTopics(bootstrapServers, { [customersTopic]: 3 }, { 'cleanup.policy': 'compact' })
    await createTopics(bootstrapServers, { [input]: 2, [output]: 2 })
    const Customer = z.object({ tier: z.string() })
    await produce(bootstrapServers, [
      { topic: customersTopic, key: 'c1', value: JSON.stringify({ tier: 'silver' }) },
      { topic: customersTopic, key: 'c2', value: JSON.stringify({ tier: 'bronze' }) },
      { topic: customersTopic, key: 'c1', value: JSON.stringify({ tier: 'gold' }) },
      { topic: customersTopic, key: 'c3', value: JSON.stringify({ tier: 'none' }) },
      { topic: customersTopic, key: 'c3', value: null },
    ])
    await produce(bootstrapServers, ['c1', 'c2', 'c3', 'c1'].map((key, i) => ({ topic: input, key, value: JSON.stringify({ amount: 10 * (i + 1) }) })))
    const customers = topicTable(defineTopic(customersTopic, { value: Customer }))
    const app = exactlyOnce({
      application,
      bootstrapServers,
      logger,
      input: defineTopic(input, { value: z.object({ amount: z.number() }) }),
      output: defineTopic(output, { value: z.object({ amount: z.number(), tier: z.string(), orders: z.number() }) }),
      consumer: FAST_CONSUMER,
      process: (orders$) =>
        orders$.pipe(
          joinTable(customers, (order, customer) => ({ ...order, tier: customer.tier })),
          mapAsync((order) => timer(5).pipe(map(() => order))),
          mapAsync((order) => of(order)),
          aggregate(() => ({ amount: 0, tier: '', orders: 0 }), (acc, o) => ({ amount: acc.amount + o.value.amount, tier: o.tier, orders: acc.orders + 1 }), { store: 'per-customer' }),
          map(({ key, value }) => ({ key, value })),
        ),
    })
    apps.push(app)
    await app.start()
    await allCommitted(application, input)
    await app.close()
    // c3 was deleted from the table (a tombstone), so its order finds no customer (inner join).
    expect((await readAll(bootstrapServers, output)).map((r) => `${r.key} ${r.value}`).sort()).toEqual([
      'c1 {"amount":10,"tier":"gold","orders":1}',
      'c1 {"amount":50,"tier":"gold","orders":2}',
      'c2 {"amount":20,"tier":"bronze","orders":1}',
    ])
  }, 30_000)
})
