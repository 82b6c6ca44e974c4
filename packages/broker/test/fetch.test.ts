import { ErrorCode, FetchApi, ZERO_UUID, type FetchRequest, type FetchResponse, type Input } from '@tributary/protocol'
import { RawClient, createTopic, fetchPartition, produce, randomTopic, readRecords, startTestBroker, textBatch, textValues, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

describe('Fetch', () => {
  let t: TestBroker
  let client: RawClient
  beforeAll(async () => {
    t = await startTestBroker({ configs: { 'max.incremental.fetch.session.cache.slots': '3' } })
    client = await RawClient.connect(t.broker.port)
  })
  afterAll(async () => {
    await client.close()
    await t.broker.close()
  })

  it('long-polls until a produce on another connection appends, then answers at once', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    const consumer = await RawClient.connect(t.broker.port)
    const started = Date.now()
    const waiting = fetchPartition(consumer, topic, 0, 0, { maxWaitMs: 10_000, minBytes: 1 })
    await new Promise((resolve) => setTimeout(resolve, 150))
    await produce(client, topic, 0, textBatch([{ value: 'hello' }]))
    const data = await waiting
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(140)
    expect(elapsed).toBeLessThan(2_000)
    expect(readRecords(data.records).map((r) => r.value)).toEqual(['hello'])
    expect(data.highWatermark).toBe(1n)
    await consumer.close()
  })

  it('waits for minBytes across appends, and answers what there is at maxWaitMs', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    const one = textBatch([{ value: 'x'.repeat(100) }])
    const consumer = await RawClient.connect(t.broker.port)
    const waiting = fetchPartition(consumer, topic, 0, 0, { maxWaitMs: 10_000, minBytes: one.length * 3 })
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(consumer.arrivals).toEqual([])
      await produce(client, topic, 0, textBatch([{ value: 'x'.repeat(100) }]))
    }
    expect(readRecords((await waiting).records)).toHaveLength(3)
    const started = Date.now()
    const empty = await fetchPartition(consumer, topic, 0, 3, { maxWaitMs: 250, minBytes: 1 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(240)
    expect(empty.records!.length).toBe(0)
    expect(empty.errorCode).toBe(ErrorCode.NONE)
    await consumer.close()
  })

  it('returns the whole batch when the fetch offset lies inside it', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    await produce(client, topic, 0, textBatch(textValues(5, 'a')))
    await produce(client, topic, 0, textBatch(textValues(2, 'b')))
    const data = await fetchPartition(client, topic, 0, 3)
    expect(readRecords(data.records).map((r) => `${r.offset}:${r.value}`)).toEqual(['0:a0', '1:a1', '2:a2', '3:a3', '4:a4', '5:b0', '6:b1'])
    const second = await fetchPartition(client, topic, 0, 6)
    expect(readRecords(second.records).map((r) => r.offset)).toEqual([5, 6])
  })

  it('keeps to maxBytes and partitionMaxBytes, but always returns the first batch whole', async () => {
    const topic = randomTopic()
    await createTopic(client, topic, 2)
    const big = () => textBatch([{ value: 'y'.repeat(1000) }])
    for (let i = 0; i < 3; i++) {
      await produce(client, topic, 0, big())
      await produce(client, topic, 1, big())
    }
    const size = big().length
    const fetch = (partitionMaxBytes: number, maxBytes: number) =>
      client.request(FetchApi, 11, {
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes,
        sessionEpoch: -1,
        topics: [{ topic, partitions: [0, 1].map((partition) => ({ partition, fetchOffset: 0n, partitionMaxBytes, currentLeaderEpoch: -1 })) }],
      })
    const counts = (res: FetchResponse) => res.responses[0]!.partitions.map((p) => readRecords(p.records).length)
    // A partition budget smaller than a batch: the first partition still gets one whole batch, the second none.
    expect(counts(await fetch(10, 1 << 20))).toEqual([1, 0])
    // Room for two batches per partition, but only three in all.
    expect(counts(await fetch(size * 2, size * 3))).toEqual([2, 1])
    // A response budget smaller than a batch still returns the first batch.
    expect(counts(await fetch(1 << 20, 10))).toEqual([1, 0])
  })

  it('answers OFFSET_OUT_OF_RANGE with the positions a client needs to reset, and UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    await produce(client, topic, 0, textBatch(textValues(4)))
    const past = await fetchPartition(client, topic, 0, 99)
    expect(past).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: 4n, logStartOffset: 0n })
    expect(past.records!.length).toBe(0)
    expect((await fetchPartition(client, topic, 0, -5)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
    expect((await fetchPartition(client, topic, 7, 0)).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    expect((await fetchPartition(client, randomTopic('missing'), 0, 0)).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    // An error answers at once, even with a long wait.
    const started = Date.now()
    expect((await fetchPartition(client, topic, 7, 0, { maxWaitMs: 5_000 })).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('reports isolation: last stable offset, aborted transactions empty for read_committed and null otherwise, no preferred replica', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    await produce(client, topic, 0, textBatch(textValues(3)))
    const committed = await fetchPartition(client, topic, 0, 0, { isolationLevel: 1 })
    expect(committed).toMatchObject({ highWatermark: 3n, lastStableOffset: 3n, logStartOffset: 0n, abortedTransactions: [], preferredReadReplica: -1 })
    expect(readRecords(committed.records)).toHaveLength(3)
    const uncommitted = await fetchPartition(client, topic, 0, 0, { isolationLevel: 0 })
    expect(uncommitted.abortedTransactions).toBeNull()
  })

  it('checks the current leader epoch (v9+)', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    const res = await client.request(FetchApi, 11, {
      maxWaitMs: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [0, 1, 5].map((currentLeaderEpoch, i) => ({ partition: 0, fetchOffset: BigInt(i * 0), partitionMaxBytes: 1000, currentLeaderEpoch })) }],
    })
    expect(res.responses[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH])
  })

  it('names topics by id from v13, and answers UNKNOWN_TOPIC_ID for ids it does not know', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    await produce(client, topic, 0, textBatch(textValues(2)))
    const topicId = t.broker.logs.topic(topic)!.topicId
    const unknownId = '0b7c1d52-2f5e-4a0c-9d1a-5c6b7e8f9a0b'
    const res = await client.request(FetchApi, 17, {
      maxWaitMs: 0,
      sessionEpoch: -1,
      topics: [
        { topicId, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] },
        { topicId: unknownId, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] },
      ],
    })
    expect(res.responses.map((r) => r.topicId)).toEqual([topicId, unknownId])
    expect(readRecords(res.responses[0]!.partitions[0]!.records)).toHaveLength(2)
    expect(res.responses[1]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID)
  })

  describe('sessions (KIP-227)', () => {
    const part = (partition: number, fetchOffset: number) => ({ partition, fetchOffset: BigInt(fetchOffset), partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 })
    const request = (sessionId: number, sessionEpoch: number, topics: Input<FetchRequest>['topics'], forgottenTopicsData: Input<FetchRequest>['forgottenTopicsData'] = []) =>
      client.request(FetchApi, 12, { maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, sessionId, sessionEpoch, topics, forgottenTopicsData })
    const served = (res: FetchResponse) => res.responses.flatMap((r) => r.partitions.map((p) => `${r.topic}-${p.partitionIndex}:${readRecords(p.records).length}`))

    it('open with epoch 0, then answer incremental fetches with only what changed', async () => {
      const topic = randomTopic()
      await createTopic(client, topic, 2)
      await produce(client, topic, 0, textBatch(textValues(2)))
      const full = await request(0, 0, [{ topic, partitions: [part(0, 0), part(1, 0)] }])
      expect(full.errorCode).toBe(ErrorCode.NONE)
      expect(full.sessionId).toBeGreaterThan(0)
      expect(served(full)).toEqual([`${topic}-0:2`, `${topic}-1:0`])
      const id = full.sessionId

      // The client moves partition 0 on; nothing new anywhere, so nothing to report.
      const quiet = await request(id, 1, [{ topic, partitions: [part(0, 2)] }])
      expect(quiet.sessionId).toBe(id)
      expect(served(quiet)).toEqual([])

      // An append to partition 1 is reported alone, without naming any partition in the request.
      await produce(client, topic, 1, textBatch(textValues(3)))
      const news = await request(id, 2, [])
      expect(served(news)).toEqual([`${topic}-1:3`])
      expect(news.responses[0]!.partitions[0]!.highWatermark).toBe(3n)

      // The wrong epoch, and an unknown session, answer top-level errors.
      expect((await request(id, 2, [])).errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH)
      expect((await request(123_456, 1, [])).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND)

      // Forgetting partition 0: appends there no longer show up.
      await produce(client, topic, 0, textBatch(textValues(1)))
      const forgot = await request(id, 3, [{ topic, partitions: [part(1, 3)] }], [{ topic, partitions: [0] }])
      expect(served(forgot)).toEqual([])

      // Closing (epoch -1) gives a sessionless answer and ends the session.
      const closing = await request(id, -1, [{ topic, partitions: [part(0, 0)] }])
      expect(closing.sessionId).toBe(0)
      expect(served(closing)).toEqual([`${topic}-0:3`])
      expect((await request(id, 4, [])).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
    })

    it('long-poll an incremental fetch until a session partition gets data', async () => {
      const topic = randomTopic()
      await createTopic(client, topic)
      const full = await request(0, 0, [{ topic, partitions: [part(0, 0)] }])
      const consumer = await RawClient.connect(t.broker.port)
      const waiting = consumer.request(FetchApi, 12, { maxWaitMs: 10_000, minBytes: 1, maxBytes: 1 << 20, sessionId: full.sessionId, sessionEpoch: 1, topics: [] })
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(consumer.arrivals).toEqual([])
      await produce(client, topic, 0, textBatch([{ value: 'late' }]))
      expect(served(await waiting)).toEqual([`${topic}-0:1`])
      await consumer.close()
    })

    it('refuse to use a session across the topic-id boundary', async () => {
      const topic = randomTopic()
      await createTopic(client, topic)
      const topicId = t.broker.logs.topic(topic)!.topicId
      const full = await client.request(FetchApi, 13, { maxWaitMs: 0, sessionId: 0, sessionEpoch: 0, topics: [{ topicId, partitions: [part(0, 0)] }] })
      expect(full.sessionId).toBeGreaterThan(0)
      expect(full.responses[0]!.topicId).toBe(topicId)
      expect((await request(full.sessionId, 1, [])).errorCode).toBe(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR)
      const incremental = await client.request(FetchApi, 13, { maxWaitMs: 0, sessionId: full.sessionId, sessionEpoch: 1, topics: [], forgottenTopicsData: [{ topicId, partitions: [0] }] })
      // Forgetting the only partition empties the session, which ends it.
      expect(incremental).toMatchObject({ errorCode: ErrorCode.NONE, sessionId: 0, responses: [] })
    })

    it('keep the cache bounded: when it is full of active sessions, a new client gets none and fetches in full', async () => {
      const topic = randomTopic()
      await createTopic(client, topic)
      const ids: number[] = []
      for (let i = 0; i < 5; i++) ids.push((await request(0, 0, [{ topic, partitions: [part(0, 0)] }])).sessionId)
      // The cache holds three sessions (max.incremental.fetch.session.cache.slots); earlier tests may hold some.
      expect(ids.filter((id) => id > 0).length).toBeLessThanOrEqual(3)
      expect(ids.at(-1)).toBe(0)
      expect(t.broker.logs.topic(topic)!.topicId).not.toBe(ZERO_UUID)
    })
  })

  it('is released by broker close: a waiting fetch answers and close completes promptly', async () => {
    const b = await startTestBroker()
    const c = await RawClient.connect(b.broker.port)
    const topic = randomTopic()
    await createTopic(c, topic)
    const waiting = fetchPartition(c, topic, 0, 0, { maxWaitMs: 30_000 })
    await new Promise((resolve) => setTimeout(resolve, 100))
    const started = Date.now()
    await b.broker.close()
    expect(Date.now() - started).toBeLessThan(2_000)
    const data = await waiting
    expect(data.errorCode).toBe(ErrorCode.NONE)
    expect(data.records!.length).toBe(0)
    await c.closed
  })
})
