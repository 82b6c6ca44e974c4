import { DeleteRecordsApi, ErrorCode, ListOffsetsApi, OffsetForLeaderEpochApi } from '@tributary/protocol'
import { RawClient, createTopic, fetchPartition, produce, randomTopic, startTestBroker, textBatch, textValues, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

describe('offsets: ListOffsets, OffsetForLeaderEpoch, DeleteRecords', () => {
  let t: TestBroker
  let client: RawClient
  let topic: string
  beforeAll(async () => {
    t = await startTestBroker()
    client = await RawClient.connect(t.broker.port)
    topic = randomTopic()
    await createTopic(client, topic)
    // Offsets 0-2 at 1000-1002, 3-4 at 5000 and 2000 (timestamps need not grow), 5 at 3000.
    await produce(client, topic, 0, textBatch([1000, 1001, 1002].map((timestamp) => ({ value: 'a', timestamp }))))
    await produce(client, topic, 0, textBatch([5000, 2000].map((timestamp) => ({ value: 'b', timestamp }))))
    await produce(client, topic, 0, textBatch([{ value: 'c', timestamp: 3000 }]))
  })
  afterAll(async () => {
    await client.close()
    await t.broker.close()
  })

  const list = async (timestamp: number, o: { version?: number; isolationLevel?: number; partition?: number; currentLeaderEpoch?: number; name?: string } = {}) => {
    const res = await client.request(ListOffsetsApi, o.version ?? 10, {
      replicaId: -1,
      isolationLevel: o.isolationLevel ?? 0,
      topics: [{ name: o.name ?? topic, partitions: [{ partitionIndex: o.partition ?? 0, timestamp: BigInt(timestamp), currentLeaderEpoch: o.currentLeaderEpoch ?? -1, maxNumOffsets: 1 }] }],
    })
    return res.topics[0]!.partitions[0]!
  }

  it('answers earliest, latest and max timestamp, in both isolation levels', async () => {
    expect(await list(-2)).toMatchObject({ errorCode: 0, offset: 0n, timestamp: -1n, leaderEpoch: 0 })
    expect(await list(-1)).toMatchObject({ offset: 6n, timestamp: -1n })
    expect(await list(-1, { isolationLevel: 1 })).toMatchObject({ offset: 6n })
    expect(await list(-3)).toMatchObject({ offset: 3n, timestamp: 5000n, leaderEpoch: 0 })
    expect(await list(-4)).toMatchObject({ offset: 0n })
    expect(await list(-5)).toMatchObject({ offset: -1n, timestamp: -1n, leaderEpoch: -1 })
  })

  it('finds the first record at or after a timestamp through the time index', async () => {
    expect(await list(0)).toMatchObject({ offset: 0n, timestamp: 1000n })
    expect(await list(1001)).toMatchObject({ offset: 1n, timestamp: 1001n })
    expect(await list(1500)).toMatchObject({ offset: 3n, timestamp: 5000n })
    expect(await list(4000)).toMatchObject({ offset: 3n, timestamp: 5000n })
    expect(await list(6000)).toMatchObject({ offset: -1n, timestamp: -1n })
  })

  it('answers old-style offsets in v0, leaves out the leader epoch before v4, and reports errors', async () => {
    expect((await list(-1, { version: 0 })).oldStyleOffsets).toEqual([6n])
    expect(await list(-2, { version: 1 })).toMatchObject({ offset: 0n, leaderEpoch: -1 })
    expect((await list(-1, { partition: 3 })).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    expect((await list(-1, { name: 'missing-topic' })).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    expect((await list(-1, { currentLeaderEpoch: 3 })).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH)
  })

  it('OffsetForLeaderEpoch: epoch 0 ends at the log end offset; a negative epoch is undefined', async () => {
    const res = await client.request(OffsetForLeaderEpochApi, 4, {
      replicaId: -1,
      topics: [
        {
          topic,
          partitions: [
            { partition: 0, leaderEpoch: 0, currentLeaderEpoch: 0 },
            { partition: 0, leaderEpoch: -1, currentLeaderEpoch: -1 },
            { partition: 0, leaderEpoch: 0, currentLeaderEpoch: 2 },
            { partition: 9, leaderEpoch: 0, currentLeaderEpoch: -1 },
          ],
        },
      ],
    })
    expect(res.topics[0]!.partitions).toEqual([
      { errorCode: 0, partition: 0, leaderEpoch: 0, endOffset: 6n },
      { errorCode: 0, partition: 0, leaderEpoch: -1, endOffset: -1n },
      { errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH, partition: 0, leaderEpoch: -1, endOffset: -1n },
      { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partition: 9, leaderEpoch: -1, endOffset: -1n },
    ])
    const v0 = await client.request(OffsetForLeaderEpochApi, 0, { topics: [{ topic, partitions: [{ partition: 0, leaderEpoch: 0 }] }] })
    expect(v0.topics[0]!.partitions[0]!.endOffset).toBe(6n)
  })

  it('DeleteRecords moves the log start offset; earlier offsets become out of range', async () => {
    const t2 = randomTopic()
    await createTopic(client, t2)
    await produce(client, t2, 0, textBatch(textValues(5)))
    await produce(client, t2, 0, textBatch(textValues(5)))
    const del = async (offset: number, partitionIndex = 0) =>
      (await client.request(DeleteRecordsApi, 2, { topics: [{ name: t2, partitions: [{ partitionIndex, offset: BigInt(offset) }] }], timeoutMs: 1000 })).topics[0]!.partitions[0]!
    expect(await del(7)).toEqual({ partitionIndex: 0, lowWatermark: 7n, errorCode: 0 })
    expect((await list(-2, { name: t2 })).offset).toBe(7n)
    expect((await fetchPartition(client, t2, 0, 2)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
    expect(await del(3)).toMatchObject({ lowWatermark: 7n, errorCode: 0 })
    expect(await del(11)).toMatchObject({ lowWatermark: -1n, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE })
    expect(await del(-1)).toMatchObject({ lowWatermark: 10n, errorCode: 0 })
    expect(await del(0, 4)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })
    expect(t.log.matching(`${t2}-0: records before offset 10 deleted`)).toHaveLength(1)
    // The end stays where it was: new records continue the offsets.
    expect(await produce(client, t2, 0, textBatch(textValues(1)))).toBe(10)
  })
})
