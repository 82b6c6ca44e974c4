import { CreateTopicsApi, ErrorCode, MetadataApi, ProduceApi, type ProduceRequest } from '@tributary/protocol'
import { RawClient, createTopic, randomTopic, sleep, startTestBroker, textBatch, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { InterceptedRequest } from '../src/index.js'

describe('fault injection with broker.intercept', () => {
  let t: TestBroker
  let admin: RawClient
  const removers: (() => void)[] = []
  beforeAll(async () => {
    t = await startTestBroker()
    admin = await RawClient.connect(t.broker.port)
  })
  afterEach(() => removers.splice(0).forEach((remove) => remove()))
  afterAll(async () => {
    await admin.close()
    await t.broker.close()
  })

  const produceBody = (topic: string, value: string) => ({ acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: textBatch([{ value }]) }] }] })
  const endOffset = (topic: string) => t.broker.logs.log(topic, 0).logEndOffset

  it('shows the request, its api, version, ids and decoded body; async interceptors are awaited', async () => {
    const seen: InterceptedRequest[] = []
    removers.push(
      t.broker.intercept(async (r) => {
        await sleep(1)
        seen.push(r)
      }),
    )
    const client = await RawClient.connect(t.broker.port)
    await client.request(MetadataApi, 12, { topics: [{ name: 'seen-topic' }], allowAutoTopicCreation: false }, { clientId: 'spy' })
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ apiKey: 3, apiName: 'Metadata', apiVersion: 12, correlationId: 1, clientId: 'spy' })
    expect(seen[0]!.connectionId).toBeGreaterThan(0)
    expect((seen[0]!.request as { topics: { name: string }[] }).topics[0]!.name).toBe('seen-topic')
    await client.close()
  })

  it('delays a request, and the requests behind it on that connection', async () => {
    removers.push(t.broker.intercept((r) => (r.apiName === 'Metadata' ? { delayMs: 300 } : undefined)))
    const client = await RawClient.connect(t.broker.port)
    const started = Date.now()
    const metadata = client.send(MetadataApi, 12, { topics: [] })
    const created = client.send(CreateTopicsApi, 7, { topics: [{ name: randomTopic(), numPartitions: 1, replicationFactor: 1 }] })
    await metadata.response
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    expect((await created.response).topics[0]!.errorCode).toBe(0)
    expect(client.arrivals).toEqual([metadata.correlationId, created.correlationId])
    await client.close()
  })

  it('drops a request: no answer and no effect, while later requests are answered', async () => {
    const topic = randomTopic()
    removers.push(t.broker.intercept((r) => ((r.request as { topics?: { name: string }[] }).topics?.[0]?.name === topic ? { drop: true } : undefined)))
    const client = await RawClient.connect(t.broker.port)
    const dropped = client.send(CreateTopicsApi, 7, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1 }] }, { timeoutMs: 400 })
    const next = client.send(MetadataApi, 12, { topics: [] })
    await next.response
    await expect(dropped.response).rejects.toThrow(/No response to correlation id 1/)
    expect(t.broker.logs.topic(topic)).toBeUndefined()
    expect(client.isConnected).toBe(true)
    await client.close()
  })

  it('disconnects at a request without running it, after answering the ones before', async () => {
    const topic = randomTopic()
    removers.push(t.broker.intercept((r) => (r.apiName === 'CreateTopics' ? { disconnect: true } : undefined)))
    const client = await RawClient.connect(t.broker.port)
    const before = client.send(MetadataApi, 12, { topics: [] })
    const cut = client.send(CreateTopicsApi, 7, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1 }] })
    await before.response
    await expect(cut.response).rejects.toThrow(/closed before the response/)
    await client.closed
    expect(t.broker.logs.topic(topic)).toBeUndefined()
    expect(t.log.matching('an interceptor disconnected it at CreateTopics')).toHaveLength(1)
  })

  it('answers with an error code through the handler, without running it', async () => {
    const topic = randomTopic()
    removers.push(t.broker.intercept((r) => (r.apiName === 'CreateTopics' ? { errorCode: ErrorCode.NOT_CONTROLLER } : undefined)))
    const res = await admin.request(CreateTopicsApi, 7, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1 }] })
    expect(res.topics[0]).toMatchObject({ name: topic, errorCode: ErrorCode.NOT_CONTROLLER })
    expect(t.broker.logs.topic(topic)).toBeUndefined()
  })

  it("afterHandle 'drop' appends the produce and loses its response", async () => {
    const topic = randomTopic()
    await createTopic(admin, topic)
    removers.push(t.broker.intercept((r) => (r.apiName === 'Produce' && (r.request as ProduceRequest).topicData[0]!.name === topic ? { afterHandle: 'drop' } : undefined)))
    const client = await RawClient.connect(t.broker.port)
    const lost = client.send(ProduceApi, 9, produceBody(topic, 'kept'), { timeoutMs: 400 })
    await expect(lost.response).rejects.toThrow(/No response/)
    expect(endOffset(topic)).toBe(1)
    expect((await client.request(MetadataApi, 12, { topics: [] })).brokers).toHaveLength(1)
    await client.close()
  })

  it("afterHandle 'disconnect' appends the produce and closes the connection instead of answering", async () => {
    const topic = randomTopic()
    await createTopic(admin, topic)
    let first = true
    removers.push(
      t.broker.intercept((r) => {
        if (r.apiName !== 'Produce' || !first) return
        first = false
        return { afterHandle: 'disconnect' }
      }),
    )
    const client = await RawClient.connect(t.broker.port)
    await expect(client.request(ProduceApi, 9, produceBody(topic, 'once'))).rejects.toThrow(/closed before the response/)
    expect(endOffset(topic)).toBe(1)
    // A retry on a new connection goes through: without idempotence, the record is now there twice.
    const retry = await RawClient.connect(t.broker.port)
    const res = await retry.request(ProduceApi, 9, produceBody(topic, 'once'))
    expect(res.responses[0]!.partitionResponses[0]!.baseOffset).toBe(1n)
    await retry.close()
  })

  it('stops intercepting once removed, and runs several interceptors in order', async () => {
    const order: string[] = []
    const removeA = t.broker.intercept(() => void order.push('a'))
    const removeB = t.broker.intercept(() => {
      order.push('b')
      return { errorCode: ErrorCode.BROKER_NOT_AVAILABLE }
    })
    const removeC = t.broker.intercept(() => void order.push('c'))
    const failed = await admin.request(MetadataApi, 12, { topics: [{ name: 'x' }], allowAutoTopicCreation: false })
    expect(failed.topics[0]!.errorCode).toBe(ErrorCode.BROKER_NOT_AVAILABLE)
    expect(order).toEqual(['a', 'b'])
    removeB()
    removeA()
    removeC()
    const ok = await admin.request(MetadataApi, 12, { topics: [{ name: 'x' }], allowAutoTopicCreation: false })
    expect(ok.topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    expect(order).toEqual(['a', 'b'])
  })

  it('answers UNKNOWN_SERVER_ERROR when an interceptor throws', async () => {
    removers.push(
      t.broker.intercept(() => {
        throw new Error('interceptor bug')
      }),
    )
    const res = await admin.request(MetadataApi, 12, { topics: [{ name: 'y' }] })
    expect(res.topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR)
    await waitFor(() => t.log.matching('an interceptor of Metadata failed: interceptor bug').length === 1)
  })
})
