import { ATTRIBUTES_OFFSET, CRC_OFFSET, ErrorCode, MAX_TIMESTAMP_OFFSET, OffsetCommitApi, OffsetDeleteApi, OffsetFetchApi, crc32c, encodeRecordBatch } from '@tributary/protocol'
import { RawClient, createTopic, produce, startTestBroker, tempDir } from '@tributary/testkit'
import { describe, expect, it } from 'vitest'

/** What the protocol fuzzer found, kept as plain regression tests (see docs/reliability.md). */

const INT64_MAX = 2n ** 63n - 1n

describe('fuzzer findings', () => {
  it('accepts offset commits whose commit time or retention is int64 max ("forever") instead of failing to store them', async () => {
    const { broker, log } = await startTestBroker()
    const client = await RawClient.connect(broker.port)
    try {
      await createTopic(client, 'commits', 1)
      const v1 = await client.request(OffsetCommitApi, 1, {
        groupId: 'g1',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        topics: [{ name: 'commits', partitions: [{ partitionIndex: 0, committedOffset: 5n, commitTimestamp: INT64_MAX, committedMetadata: '' }] }],
      })
      const v2 = await client.request(OffsetCommitApi, 2, {
        groupId: 'g2',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        retentionTimeMs: INT64_MAX,
        topics: [{ name: 'commits', partitions: [{ partitionIndex: 0, committedOffset: 7n, committedMetadata: '' }] }],
      })
      expect(v1.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE)
      expect(v2.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE)
      const fetched = await client.request(OffsetFetchApi, 1, { groupId: 'g2', topics: [{ name: 'commits', partitionIndexes: [0] }] })
      expect(fetched.topics[0]!.partitions[0]!.committedOffset).toBe(7n)
      expect(log.matching(/ERROR/)).toEqual([])
    } finally {
      await client.close()
      await broker.close()
    }
  })

  it('deletes a committed offset once when OffsetDelete names its partition twice', async () => {
    const { broker, log } = await startTestBroker()
    const client = await RawClient.connect(broker.port)
    try {
      await createTopic(client, 'twice', 1)
      const committed = await client.request(OffsetCommitApi, 8, {
        groupId: 'g',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        topics: [{ name: 'twice', partitions: [{ partitionIndex: 0, committedOffset: 3n, committedMetadata: '' }] }],
      })
      expect(committed.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE)
      const deleted = await client.request(OffsetDeleteApi, 0, { groupId: 'g', topics: [{ name: 'twice', partitions: [{ partitionIndex: 0 }, { partitionIndex: 0 }] }] })
      expect(deleted.errorCode).toBe(ErrorCode.NONE)
      expect(deleted.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE])
      const fetched = await client.request(OffsetFetchApi, 1, { groupId: 'g', topics: [{ name: 'twice', partitionIndexes: [0] }] })
      expect(fetched.topics[0]!.partitions[0]!.committedOffset).toBe(-1n)
      expect(log.matching(/ERROR/)).toEqual([])
    } finally {
      await client.close()
      await broker.close()
    }
  })

  it('snapshots the state of an idempotent producer whose batch carries timestamp int64 max', async () => {
    const dir = tempDir()
    let { broker, log } = await startTestBroker({ dataDir: dir.path })
    try {
      const client = await RawClient.connect(broker.port)
      await createTopic(client, 'far-future', 1)
      // Our encoder refuses such a timestamp; another client's need not, so the batch is patched.
      const batch = encodeRecordBatch({ records: [{ value: Buffer.from('v') }], producerId: 3n, producerEpoch: 0, baseSequence: 0 })
      batch.writeBigInt64BE(INT64_MAX, MAX_TIMESTAMP_OFFSET)
      batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET)
      expect(await produce(client, 'far-future', 0, batch)).toBe(0)
      await client.close()
      // A clean close writes the producer state snapshot.
      await broker.close()
      expect(log.matching(/ERROR/)).toEqual([])
      ;({ broker, log } = await startTestBroker({ dataDir: dir.path }))
      const again = await RawClient.connect(broker.port)
      // The retry of the same batch is recognised from the snapshot: same offset, nothing written.
      expect(await produce(again, 'far-future', 0, batch)).toBe(0)
      await again.close()
      expect(log.matching(/ERROR/)).toEqual([])
    } finally {
      await broker.close()
      dir.remove()
    }
  })
})
