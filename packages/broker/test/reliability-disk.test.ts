import { openSync, readdirSync, readSync, statSync, writeSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { CreateTopicsApi, ErrorCode, MetadataApi, OffsetCommitApi, ProduceApi, encodeRecordBatch, type ProduceResponse } from '@tributary/protocol'
import { RawClient, fetchPartition, readRecords, startTestBroker, tempDir } from '@tributary/testkit'
import { describe, expect, it } from 'vitest'
import { FaultyStorage } from './fixtures/faulty-storage.js'

const TOPIC = 'disk'
const PARTITIONS = 2
/** Small segments, so the outage also hits segment rolls. */
const CONFIGS = { 'segment.bytes': '4096' }

/** An idempotent producer's batch: producer 7, epoch 0, sequences numbered per partition. */
function batch(partition: number, sequence: number): Buffer {
  return encodeRecordBatch({ records: [{ value: Buffer.from(`${partition}:${sequence}:${'x'.repeat(200)}`) }], producerId: 7n, producerEpoch: 0, baseSequence: sequence })
}

async function produce(client: RawClient, partition: number, records: Buffer): Promise<{ errorCode: number; baseOffset: number }> {
  const res: ProduceResponse = await client.request(ProduceApi, 9, { acks: -1, timeoutMs: 5_000, topicData: [{ name: TOPIC, partitionData: [{ index: partition, records }] }] })
  const p = res.responses[0]!.partitionResponses[0]!
  return { errorCode: p.errorCode, baseOffset: Number(p.baseOffset) }
}

/** Every record of a partition, read from offset 0 with CRCs checked, stepping over gaps. */
async function readAll(client: RawClient, topic: string, partition: number): Promise<{ offset: number; value: string }[]> {
  const out: { offset: number; value: string }[] = []
  for (let offset = 0; ; ) {
    const data = await fetchPartition(client, topic, partition, offset, { maxWaitMs: 0 })
    expect(data.errorCode).toBe(ErrorCode.NONE)
    const records = readRecords(data.records)
    if (records.length === 0) return out
    for (const r of records) if (r.offset >= offset) out.push({ offset: r.offset, value: r.value ?? '' })
    offset = records.at(-1)!.offset + 1
  }
}

describe('disk trouble', () => {
  it('answers KAFKA_STORAGE_ERROR while the disk is full, keeps what it stored intact, and carries on once space is back', async () => {
    const dir = tempDir()
    const storage = new FaultyStorage()
    let { broker, log } = await startTestBroker({ dataDir: dir.path, storage, configs: { 'auto.create.topics.enable': 'false' } })
    try {
      const client = await RawClient.connect(broker.port)
      const created = await client.request(CreateTopicsApi, 7, { topics: [{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1, configs: Object.entries(CONFIGS).map(([name, value]) => ({ name, value })) }], timeoutMs: 5_000 })
      expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE)
      const next = new Array<number>(PARTITIONS).fill(0)
      const acked: string[][] = Array.from({ length: PARTITIONS }, () => [])
      const produceRound = async (expectCode: number) => {
        for (let i = 0; i < 30; i++) {
          const p = i % PARTITIONS
          const result = await produce(client, p, batch(p, next[p]!))
          expect(result.errorCode, `partition ${p} sequence ${next[p]}`).toBe(expectCode)
          if (result.errorCode !== ErrorCode.NONE) continue
          expect(result.baseOffset).toBe(acked[p]!.length)
          acked[p]!.push(`${p}:${next[p]}:`)
          next[p]!++
        }
      }

      await produceRound(ErrorCode.NONE)
      storage.full = true
      // Every write fails: produce (idempotent batches, retried below with the same sequences),
      // offset commits and topic creation answer errors; reads and metadata keep working.
      await produceRound(ErrorCode.KAFKA_STORAGE_ERROR)
      const commit = await client.request(OffsetCommitApi, 8, { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: '' }] }] })
      expect(commit.topics[0]!.partitions[0]!.errorCode).not.toBe(ErrorCode.NONE)
      const refused = await client.request(CreateTopicsApi, 7, { topics: [{ name: 'while-full', numPartitions: 1, replicationFactor: 1 }], timeoutMs: 5_000 })
      expect(refused.topics[0]!.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR)
      expect((await client.request(MetadataApi, 12, { topics: [{ name: TOPIC }] })).topics[0]!.partitions).toHaveLength(PARTITIONS)
      for (let p = 0; p < PARTITIONS; p++) expect((await readAll(client, TOPIC, p)).map((r) => r.value.slice(0, r.value.indexOf(':', 2) + 1))).toEqual(acked[p])
      expect(storage.counts.failedAppends).toBeGreaterThanOrEqual(30)

      // Space is back: the same sequences are accepted (no gap, no duplicate) at the next offsets.
      storage.full = false
      await produceRound(ErrorCode.NONE)
      await produceRound(ErrorCode.NONE)
      const afterCommit = await client.request(OffsetCommitApi, 8, { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: '' }] }] })
      expect(afterCommit.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE)
      for (let p = 0; p < PARTITIONS; p++) {
        const stored = await readAll(client, TOPIC, p)
        expect(stored.map((r) => r.offset)).toEqual([...stored.keys()])
        expect(stored.map((r) => r.value.slice(0, r.value.indexOf(':', 2) + 1))).toEqual(acked[p])
      }
      await client.close()
      await broker.close()

      // The files hold nothing torn: a restart checks every batch and finds nothing to cut.
      ;({ broker, log } = await startTestBroker({ dataDir: dir.path }))
      expect(log.matching(/log recovery/)).toEqual([])
      const again = await RawClient.connect(broker.port)
      for (let p = 0; p < PARTITIONS; p++) expect((await readAll(again, TOPIC, p)).map((r) => r.value.slice(0, r.value.indexOf(':', 2) + 1))).toEqual(acked[p])
      await again.close()
    } finally {
      await broker.close()
      dir.remove()
    }
  })

  it('cuts a closed segment corrupted on disk at its last valid batch at start-up, with an error line, and serves everything else', async () => {
    const dir = tempDir()
    let { broker, log } = await startTestBroker({ dataDir: dir.path })
    try {
      const client = await RawClient.connect(broker.port)
      await client.request(CreateTopicsApi, 7, { topics: [{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1, configs: [{ name: 'segment.bytes', value: '4096' }] }], timeoutMs: 5_000 })
      for (let i = 0; i < 60; i++) expect((await produce(client, i % PARTITIONS, batch(i % PARTITIONS, Math.floor(i / PARTITIONS)))).errorCode).toBe(ErrorCode.NONE)
      const before = await Promise.all([0, 1].map((p) => readAll(client, TOPIC, p)))
      await client.close()
      await broker.close()

      // Flip bytes inside a record of the third batch of partition 0's second segment: its
      // header still reads right, only the CRC-32C shows the damage.
      const partitionDir = join(dir.path, `${TOPIC}-0`)
      const segments = readdirSync(partitionDir).filter((n) => n.endsWith('.log')).sort()
      expect(segments.length).toBeGreaterThanOrEqual(3)
      const victim = join(partitionDir, segments[1]!)
      const third = batchStarts(victim)[2]!
      flipBytes(victim, third + 70, 4)
      const victimBase = Number(segments[1]!.slice(0, 20))
      const nextBase = Number(segments[2]!.slice(0, 20))

      ;({ broker, log } = await startTestBroker({ dataDir: dir.path }))
      const lines = log.matching(/corrupt batch/)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(new RegExp(`ERROR storage: log recovery: .*${segments[1]}: corrupt batch at byte ${third} of \\d+ \\(CRC-32C does not match\\); truncated the segment to its last valid batch, keeping ${third} bytes and cutting \\d+; offsets ${victimBase + 2} to ${nextBase - 1} of this segment are lost`))
      const again = await RawClient.connect(broker.port)
      const after = await Promise.all([0, 1].map((p) => readAll(again, TOPIC, p)))
      // Partition 0: everything but the cut offsets, the later segments included; partition 1 whole.
      expect(after[0]).toEqual(before[0]!.filter((r) => r.offset < victimBase + 2 || r.offset >= nextBase))
      expect(after[1]).toEqual(before[1])
      // Appends go on at the end of the log.
      expect((await produce(again, 0, batch(0, 30))).baseOffset).toBe(before[0]!.length)
      await again.close()
    } finally {
      await broker.close()
      dir.remove()
    }
  })
})

/** Byte positions of the batches in a segment file. */
function batchStarts(path: string): number[] {
  const fd = openSync(path, 'r')
  try {
    const starts: number[] = []
    const size = statSync(path).size
    const head = Buffer.alloc(12)
    for (let pos = 0; pos + 12 <= size; pos += head.readInt32BE(8) + 12) {
      readSync(fd, head, 0, 12, pos)
      starts.push(pos)
    }
    return starts
  } finally {
    closeSync(fd)
  }
}

function flipBytes(path: string, at: number, count: number): void {
  const fd = openSync(path, 'r+')
  try {
    const bytes = Buffer.alloc(count)
    readSync(fd, bytes, 0, count, at)
    for (let i = 0; i < count; i++) bytes[i] = bytes[i]! ^ 0xff
    writeSync(fd, bytes, 0, count, at)
  } finally {
    closeSync(fd)
  }
}
