import { randomTopic } from '@tributary/testkit'
import { describe, expect, it } from 'vitest'
import { DeliveryTimeoutError, ProducerTimeoutError } from '../src/index.js'
import { createTopics, producerSuite, readPartition, recordProduceRequests } from './helpers.js'

describe('Producer: batching, linger, buffer memory, delivery timeout', () => {
  const t = producerSuite({ closeTimeoutMs: 1000 })
  const producer = t.producer
  const topicRequests = (log: ReturnType<typeof recordProduceRequests>, topic: string) =>
    log.requests.map((r) => r.partitions.filter((p) => p.topic === topic)).filter((ps) => ps.length > 0)

  it('lingers: records sent within lingerMs of each other go in one batch, and the first waits for the linger', async () => {
    const topic = randomTopic('linger')
    await createTopics(t.broker, { [topic]: 1 })
    const log = recordProduceRequests(t.broker)
    try {
      const p = producer({ lingerMs: 300 })
      await p.connect()
      const started = Date.now()
      const sends = Array.from({ length: 5 }, (_, i) => p.send({ topic, value: `l${i}` }))
      const firstDone = await sends[0]!.then(() => Date.now())
      await Promise.all(sends)
      expect(firstDone - started).toBeGreaterThanOrEqual(250)
      expect(topicRequests(log, topic)).toEqual([[expect.objectContaining({ records: 5 })]])
    } finally {
      log.stop()
    }
  })

  it('lingerMs 0 sends at once: records awaited one by one go in a request each', async () => {
    const topic = randomTopic('no-linger')
    await createTopics(t.broker, { [topic]: 1 })
    const log = recordProduceRequests(t.broker)
    try {
      const p = producer({ lingerMs: 0 })
      const started = Date.now()
      for (let i = 0; i < 5; i++) await p.send({ topic, value: `n${i}` })
      expect(Date.now() - started).toBeLessThan(1000)
      expect(topicRequests(log, topic).map((ps) => ps.map((x) => x.records))).toEqual([[1], [1], [1], [1], [1]])
    } finally {
      log.stop()
    }
  })

  it('closes a batch at batchSize: bytes per batch stay within it, whatever the linger', async () => {
    const topic = randomTopic('batch-size')
    await createTopics(t.broker, { [topic]: 1 })
    const log = recordProduceRequests(t.broker)
    try {
      const p = producer({ lingerMs: 1500, batchSize: 2048 })
      const started = Date.now()
      await p.sendBatch(Array.from({ length: 200 }, (_, i) => ({ topic, value: `${i}`.padEnd(100, '-') })))
      const batches = topicRequests(log, topic).flat()
      // Full batches go at once; the last, partial one waits for its linger.
      expect(batches.length).toBeGreaterThanOrEqual(200 / 17)
      expect(batches.every((b) => b.batchBytes <= 2048)).toBe(true)
      expect(batches.slice(0, -1).every((b) => b.records >= 15)).toBe(true)
      expect(batches.reduce((n, b) => n + b.records, 0)).toBe(200)
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400)
    } finally {
      log.stop()
    }
  })

  it('flush sends lingering batches at once', async () => {
    const topic = randomTopic('flush')
    const p = producer({ lingerMs: 60_000 })
    const sent = p.send({ topic, value: 'f' })
    const started = Date.now()
    await p.flush()
    expect(Date.now() - started).toBeLessThan(5_000)
    await expect(sent).resolves.toMatchObject({ offset: 0n })
  })

  it('makes send wait for bufferMemory instead of growing without bound, and fails it after maxBlockMs', async () => {
    const topic = randomTopic('memory')
    await createTopics(t.broker, { [topic]: 1 })
    const log = recordProduceRequests(t.broker)
    // Hold every produce request for 400 ms, so acknowledged memory comes back slowly.
    const stop = t.broker.intercept((r) => (r.apiName === 'Produce' ? { delayMs: 400 } : undefined))
    try {
      const p = producer({ bufferMemory: 4096, maxRequestSize: 4096, batchSize: 4096, lingerMs: 0, maxBlockMs: 10_000 })
      await p.connect()
      const sends = Array.from({ length: 40 }, (_, i) => p.send({ topic, value: `${i}`.padEnd(200, 'm') }))
      // While the first requests are held, only what fits in 4 KiB may have been handed to the broker.
      await new Promise((r) => setTimeout(r, 300))
      const inFirstWindow = topicRequests(log, topic).flat().reduce((n, b) => n + b.records, 0)
      expect(inFirstWindow).toBeGreaterThan(0)
      expect(inFirstWindow).toBeLessThanOrEqual(Math.floor(4096 / 221))
      const metas = await Promise.all(sends)
      expect(metas.map((m) => Number(m.offset))).toEqual(Array.from({ length: 40 }, (_, i) => i))
      // With a short maxBlockMs the waiting sends give up instead.
      const impatient = producer({ bufferMemory: 2048, maxRequestSize: 2048, lingerMs: 0, maxBlockMs: 150 })
      await impatient.connect()
      const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => impatient.send({ topic, value: `${i}`.padEnd(200, 'x') })))
      const rejected = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)
      expect(rejected.length).toBeGreaterThan(0)
      expect(rejected.every((e) => e instanceof ProducerTimeoutError && e.code === 'BUFFER_EXHAUSTED')).toBe(true)
      expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(0)
    } finally {
      stop()
      log.stop()
    }
  })

  it('fails records not acknowledged within deliveryTimeoutMs (a broker that never answers), and no sooner', async () => {
    const topic = randomTopic('delivery-timeout')
    await createTopics(t.broker, { [topic]: 1 })
    const stop = t.broker.intercept((r) => (r.apiName === 'Produce' ? { drop: true } : undefined))
    try {
      const p = producer({ lingerMs: 0, requestTimeoutMs: 300, deliveryTimeoutMs: 1200, retryBackoffMs: 50, acks: 'all' })
      await p.connect()
      const started = Date.now()
      const errors = await Promise.all(Array.from({ length: 3 }, (_, i) => p.send({ topic, value: `d${i}` }).catch((e: unknown) => e)))
      const elapsed = Date.now() - started
      for (const e of errors) {
        expect(e).toBeInstanceOf(DeliveryTimeoutError)
        expect(e).toMatchObject({ code: 'DELIVERY_TIMEOUT' })
      }
      expect(elapsed).toBeGreaterThanOrEqual(1100)
      expect(elapsed).toBeLessThan(1200 + 800)
    } finally {
      stop()
    }
    expect(await readPartition(t, topic)).toEqual([])
  })

  it('retries retriable errors with backoff, and with retries: 0 surfaces the first one', async () => {
    const topic = randomTopic('retries')
    await createTopics(t.broker, { [topic]: 1 })
    let refusals = 0
    const stop = t.broker.intercept((r) => {
      if (r.apiName !== 'Produce' || !(r.request as { topicData: { name: string }[] }).topicData.some((d) => d.name === topic) || refusals >= 3) return
      refusals++
      return { errorCode: 19 } // NOT_ENOUGH_REPLICAS: retriable
    })
    try {
      const started = Date.now()
      const patient = producer({ lingerMs: 0, retryBackoffMs: 50, retryBackoffMaxMs: 1000 })
      await expect(patient.send({ topic, value: 'eventually' })).resolves.toMatchObject({ offset: 0n })
      expect(refusals).toBe(3)
      // Backoff 50, 100, 200 ms (±20%) between the four attempts.
      expect(Date.now() - started).toBeGreaterThanOrEqual(250)
      refusals = 0
      const impatient = producer({ lingerMs: 0, retries: 0, enableIdempotence: false })
      await expect(impatient.send({ topic, value: 'once' })).rejects.toMatchObject({ code: 'NOT_ENOUGH_REPLICAS' })
      expect(refusals).toBe(1)
    } finally {
      stop()
    }
  })

  it('waits up to maxBlockMs for a topic that does not exist, then fails with METADATA_TIMEOUT', async () => {
    const p = producer({ allowAutoCreateTopics: false, maxBlockMs: 400 })
    const started = Date.now()
    await expect(p.send({ topic: randomTopic('missing'), value: 'x' })).rejects.toMatchObject({ code: 'METADATA_TIMEOUT' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(350)
  })
})
