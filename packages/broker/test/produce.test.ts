import { ErrorCode, MetadataApi, ProduceApi, type ProduceResponse } from '@tributary/protocol'
import { RawClient, createTopic, fetchPartition, randomTopic, readRecords, startTestBroker, textBatch, textValues, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

describe('Produce', () => {
  let t: TestBroker
  let client: RawClient
  beforeAll(async () => {
    t = await startTestBroker()
    client = await RawClient.connect(t.broker.port)
  })
  afterAll(async () => {
    await client.close()
    await t.broker.close()
  })

  const send = (topic: string, records: Buffer | null, o: { acks?: number; partition?: number; version?: number } = {}) =>
    client.request(ProduceApi, o.version ?? 9, { acks: o.acks ?? -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: o.partition ?? 0, records }] }] })
  const result = (res: ProduceResponse) => res.responses[0]!.partitionResponses[0]!
  const endOffset = (topic: string, partition = 0) => t.broker.logs.log(topic, partition).logEndOffset

  it('appends with acks 1 and -1, answering consecutive base offsets and the log start offset', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    const first = result(await send(topic, textBatch(textValues(3)), { acks: 1 }))
    expect(first).toMatchObject({ errorCode: 0, baseOffset: 0n, logAppendTimeMs: -1n, logStartOffset: 0n, errorMessage: null })
    const second = result(await send(topic, textBatch(textValues(2)), { acks: -1, version: 3 }))
    expect(second).toMatchObject({ errorCode: 0, baseOffset: 3n })
    expect(readRecords((await fetchPartition(client, topic, 0, 0)).records).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4])
  })

  it('sends no response for acks 0, yet appends', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    const c = await RawClient.connect(t.broker.port)
    const fireAndForget = c.send(ProduceApi, 9, { acks: 0, timeoutMs: 0, topicData: [{ name: topic, partitionData: [{ index: 0, records: textBatch([{ value: 'quiet' }]) }] }] }, { expectResponse: false })
    const next = c.send(MetadataApi, 12, { topics: [] })
    await next.response
    expect(c.arrivals).toEqual([next.correlationId])
    expect(c.arrivals).not.toContain(fireAndForget.correlationId)
    expect(endOffset(topic)).toBe(1)
    await c.close()
  })

  it('closes the connection when an acks 0 produce fails, as Kafka does', async () => {
    const c = await RawClient.connect(t.broker.port)
    c.send(ProduceApi, 9, { acks: 0, timeoutMs: 0, topicData: [{ name: 'bad/name', partitionData: [{ index: 0, records: textBatch([{ value: 'x' }]) }] }] }, { expectResponse: false })
    await c.closed
    expect(t.log.matching(/closing connection \d+ .*a produce request with acks=0 failed \(bad\/name-0: /)).toHaveLength(1)
  })

  it('answers INVALID_REQUIRED_ACKS for acks other than -1, 0, 1', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    expect(result(await send(topic, textBatch([{ value: 'x' }]), { acks: 2 })).errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS)
    expect(endOffset(topic)).toBe(0)
  })

  it('answers CORRUPT_MESSAGE for a flipped byte, and appends nothing', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    const batch = textBatch(textValues(3))
    batch[batch.length - 2] ^= 0xff
    const res = result(await send(topic, batch))
    expect(res.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE)
    expect(res.baseOffset).toBe(-1n)
    expect(res.errorMessage).toMatch(/CRC/)
    expect(endOffset(topic)).toBe(0)
  })

  it('answers MESSAGE_TOO_LARGE above max.message.bytes', async () => {
    const topic = randomTopic()
    await createTopic(client, topic, 1, { 'max.message.bytes': '200' })
    expect(result(await send(topic, textBatch([{ value: 'z'.repeat(300) }]))).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE)
    expect(result(await send(topic, textBatch([{ value: 'small' }]))).errorCode).toBe(ErrorCode.NONE)
  })

  it('answers INVALID_RECORD for null or empty records', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    expect(result(await send(topic, null)).errorCode).toBe(ErrorCode.INVALID_RECORD)
    expect(result(await send(topic, Buffer.alloc(0))).errorCode).toBe(ErrorCode.INVALID_RECORD)
  })

  it('answers UNSUPPORTED_FOR_MESSAGE_FORMAT for a legacy (magic 1) message set', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    // offset, size, crc, magic 1, attributes, timestamp, null key, value "v"
    const message = Buffer.concat([Buffer.from('00000000' + '01' + '00' + '0000000000000000' + 'ffffffff' + '00000001', 'hex'), Buffer.from('v')])
    const set = Buffer.concat([Buffer.alloc(8), Buffer.from([0, 0, 0, message.length]), message])
    expect(result(await send(topic, set)).errorCode).toBe(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT)
  })

  it('refuses a transactional batch of a producer without a transaction with INVALID_TXN_STATE, and accepts idempotent ones', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    const txn = textBatch([{ value: 't' }], { isTransactional: true, producerId: 7n, producerEpoch: 0, baseSequence: 0 })
    const res = result(await send(topic, txn))
    expect(res.errorCode).toBe(ErrorCode.INVALID_TXN_STATE)
    expect(res.errorMessage).toMatch(/has no transaction/)
    expect(result(await send(topic, textBatch([{ value: 'i' }], { producerId: 7n, producerEpoch: 0, baseSequence: 0 }))).errorCode).toBe(ErrorCode.NONE)
    expect(endOffset(topic)).toBe(1)
  })

  it('answers INVALID_TOPIC_EXCEPTION for illegal names and internal topics', async () => {
    expect(result(await send('no spaces', textBatch([{ value: 'x' }]))).errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION)
    expect(result(await send('__consumer_offsets', textBatch([{ value: 'x' }]))).errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION)
    expect(t.broker.logs.topic('__consumer_offsets')).toBeUndefined()
  })

  it('auto-creates unknown topics, and answers UNKNOWN_TOPIC_OR_PARTITION for a missing partition', async () => {
    const topic = randomTopic('auto')
    expect(result(await send(topic, textBatch([{ value: 'x' }]))).errorCode).toBe(ErrorCode.NONE)
    expect(t.broker.logs.topic(topic)?.partitions).toBe(1)
    expect(t.log.matching(`created topic ${topic} with 1 partition(s) (auto-created by Produce from client "testkit")`)).toHaveLength(1)
    expect(result(await send(topic, textBatch([{ value: 'x' }]), { partition: 3 })).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  })

  it('keeps partitions independent: one failing leaves the others appended', async () => {
    const topic = randomTopic()
    await createTopic(client, topic, 2)
    const bad = textBatch([{ value: 'x' }])
    bad[bad.length - 1] ^= 1
    const res = await client.request(ProduceApi, 9, {
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: bad }, { index: 1, records: textBatch([{ value: 'ok' }]) }] }],
    })
    expect(res.responses[0]!.partitionResponses.map((p) => p.errorCode)).toEqual([ErrorCode.CORRUPT_MESSAGE, ErrorCode.NONE])
    expect([endOffset(topic, 0), endOffset(topic, 1)]).toEqual([0, 1])
  })

  it('stamps LogAppendTime when the topic asks for it, and answers NOT_ENOUGH_REPLICAS for acks=all above one replica', async () => {
    const topic = randomTopic()
    await createTopic(client, topic, 1, { 'message.timestamp.type': 'LogAppendTime', 'min.insync.replicas': '2' })
    const before = Date.now()
    const res = result(await send(topic, textBatch([{ value: 'x', timestamp: 1000 }]), { acks: 1 }))
    expect(Number(res.logAppendTimeMs)).toBeGreaterThanOrEqual(before)
    expect(readRecords((await fetchPartition(client, topic, 0, 0)).records)[0]!.timestamp).toBe(Number(res.logAppendTimeMs))
    expect(result(await send(topic, textBatch([{ value: 'y' }]), { acks: -1 })).errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS)
  })

  it('does not auto-create when the broker disables it', async () => {
    const b = await startTestBroker({ autoCreateTopics: false })
    const c = await RawClient.connect(b.broker.port)
    const res = await c.request(ProduceApi, 9, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'nowhere', partitionData: [{ index: 0, records: textBatch([{ value: 'x' }]) }] }] })
    expect(result(res)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1n })
    await c.close()
    await waitFor(() => b.log.matching('closed after 1 request(s)').length === 1)
    await b.broker.close()
  })
})
