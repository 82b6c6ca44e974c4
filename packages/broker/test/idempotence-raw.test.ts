import { DescribeProducersApi, ErrorCode, ProduceApi } from '@tributary/protocol'
import { RawClient, createTopic, randomTopic, readRecords, startTestBroker, textBatch, textValues, fetchPartition, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initProducerId } from './txn-helpers.js'

const INT32_MAX = 2 ** 31 - 1

describe('idempotent produce: sequence and epoch checks (raw requests)', () => {
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

  /** Produces `count` records as producer `pid`/`epoch` from sequence `seq`; answers the partition response. */
  async function send(topic: string, pid: bigint, epoch: number, seq: number, count = 1, tag = `s${seq}`) {
    const records = textBatch(textValues(count, `${tag}-`), { producerId: pid, producerEpoch: epoch, baseSequence: seq })
    const res = await client.request(ProduceApi, 9, { acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] })
    const p = res.responses[0]!.partitionResponses[0]!
    return { errorCode: p.errorCode, baseOffset: Number(p.baseOffset), errorMessage: p.errorMessage }
  }
  const values = async (topic: string) => readRecords((await fetchPartition(client, topic, 0, 0)).records).map((r) => r.value)

  it('answers a retried batch with its original offset and writes it once', async () => {
    const topic = randomTopic('idem')
    await createTopic(client, topic)
    const { producerId } = await initProducerId(client)
    expect(await send(topic, producerId, 0, 0, 3)).toMatchObject({ errorCode: 0, baseOffset: 0 })
    expect(await send(topic, producerId, 0, 3, 2)).toMatchObject({ errorCode: 0, baseOffset: 3 })
    expect(await send(topic, producerId, 0, 0, 3)).toMatchObject({ errorCode: 0, baseOffset: 0 })
    expect(await send(topic, producerId, 0, 3, 2)).toMatchObject({ errorCode: 0, baseOffset: 3 })
    expect(await send(topic, producerId, 0, 5, 1)).toMatchObject({ errorCode: 0, baseOffset: 5 })
    expect(await values(topic)).toEqual(['s0-0', 's0-1', 's0-2', 's3-0', 's3-1', 's5-0'])
  })

  it('remembers the last five batches: an older retry is out of order', async () => {
    const topic = randomTopic('idem-window')
    await createTopic(client, topic)
    const { producerId } = await initProducerId(client)
    for (let seq = 0; seq < 6; seq++) expect((await send(topic, producerId, 0, seq)).errorCode).toBe(0)
    expect(await send(topic, producerId, 0, 1)).toMatchObject({ errorCode: 0, baseOffset: 1 })
    expect((await send(topic, producerId, 0, 0)).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    expect(t.broker.logs.log(topic, 0).logEndOffset).toBe(6)
  })

  it('refuses a gap with OUT_OF_ORDER_SEQUENCE_NUMBER and an old epoch with INVALID_PRODUCER_EPOCH', async () => {
    const topic = randomTopic('idem-gap')
    await createTopic(client, topic)
    const pid = 900_001n
    expect((await send(topic, pid, 3, 0, 2)).errorCode).toBe(0)
    const gap = await send(topic, pid, 3, 5)
    expect(gap.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    expect(gap.errorMessage).toMatch(/got 5, expected 2/)
    expect((await send(topic, pid, 2, 2)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    // A new epoch starts at sequence 0.
    expect((await send(topic, pid, 4, 7)).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    expect((await send(topic, pid, 4, 0)).errorCode).toBe(0)
    expect((await send(topic, pid, 3, 2)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    expect(await values(topic)).toEqual(['s0-0', 's0-1', 's0-0'])
  })

  it('accepts any first sequence from a producer the partition does not know, and wraps at 2^31-1', async () => {
    const topic = randomTopic('idem-wrap')
    await createTopic(client, topic)
    const pid = 900_002n
    // Sequences 2^31-2, 2^31-1, 0: the batch crosses the wrap, so the next one starts at 1.
    expect((await send(topic, pid, 0, INT32_MAX - 1, 3)).errorCode).toBe(0)
    expect((await send(topic, pid, 0, 0, 2)).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    expect(await send(topic, pid, 0, 1, 2)).toMatchObject({ errorCode: 0, baseOffset: 3 })
    expect(await send(topic, pid, 0, INT32_MAX - 1, 3)).toMatchObject({ errorCode: 0, baseOffset: 0 })
    expect((await send(topic, pid, 0, 3, 1)).errorCode).toBe(0)
    expect(t.broker.logs.log(topic, 0).logEndOffset).toBe(6)
    const described = await client.request(DescribeProducersApi, 0, { topics: [{ name: topic, partitionIndexes: [0, 7] }] })
    const [p0, p7] = described.topics[0]!.partitions
    expect(p0!.activeProducers).toEqual([expect.objectContaining({ producerId: pid, producerEpoch: 0, lastSequence: 3, currentTxnStartOffset: -1n })])
    expect(p7!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  })

  it('keeps producers apart and leaves batches without a producer id unchecked', async () => {
    const topic = randomTopic('idem-mixed')
    await createTopic(client, topic)
    const a = await initProducerId(client)
    const b = await initProducerId(client)
    expect(b.producerId).not.toBe(a.producerId)
    expect(a.producerEpoch).toBe(0)
    expect((await send(topic, a.producerId, 0, 0)).errorCode).toBe(0)
    expect((await send(topic, b.producerId, 0, 0)).errorCode).toBe(0)
    const plain = await client.request(ProduceApi, 9, { acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: textBatch([{ value: 'plain' }]) }] }] })
    expect(plain.responses[0]!.partitionResponses[0]!.errorCode).toBe(0)
    expect(await send(topic, a.producerId, 0, 0)).toMatchObject({ errorCode: 0, baseOffset: 0 })
    expect(await send(topic, b.producerId, 0, 0)).toMatchObject({ errorCode: 0, baseOffset: 1 })
    expect(t.broker.logs.log(topic, 0).logEndOffset).toBe(3)
  })
})
