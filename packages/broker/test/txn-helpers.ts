import { AddPartitionsToTxnApi, EndTxnApi, ErrorCode, FetchApi, InitProducerIdApi, ProduceApi, decodeControlRecord, decodeRecordBatches, errorForCode } from '@tributary/protocol'
import { textBatch, type RawClient } from '@tributary/testkit'

/** Shared by the txn-*.test.ts and idempotence-*.test.ts files. */

/** Fast group and transaction timers for tests. */
export const TXN_TEST_CONFIGS: Record<string, string> = {
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '1000',
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': '200',
}

/** A record as a read_committed or read_uncommitted reader sees it. */
export interface ReadValue {
  offset: number
  value: string
}

/** What {@link readPartition} found. */
export interface PartitionRead {
  values: ReadValue[]
  highWatermark: number
  lastStableOffset: number
  /** Every aborted transaction the broker reported, as `producerId@firstOffset`. */
  aborted: string[]
}

/**
 * Reads one partition from offset 0 with raw Fetch v11 requests, as a consumer would: with
 * `isolationLevel` 1 it stops at the last stable offset and drops the records of the aborted
 * transactions the broker reports (a producer's records from the reported first offset up to its
 * ABORT marker); control batches are never returned as values.
 */
export async function readPartition(client: RawClient, topic: string, partition: number, isolationLevel: 0 | 1): Promise<PartitionRead> {
  const values: ReadValue[] = []
  const aborted: string[] = []
  let offset = 0
  let highWatermark = 0
  let lastStableOffset = 0
  for (let round = 0; round < 1000; round++) {
    const res = await client.request(FetchApi, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition, fetchOffset: BigInt(offset), partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, logStartOffset: -1n }] }],
      forgottenTopicsData: [],
      rackId: '',
    })
    const p = res.responses[0]!.partitions[0]!
    const err = errorForCode(p.errorCode, `fetching ${topic}-${partition}`)
    if (err) throw err
    highWatermark = Number(p.highWatermark)
    lastStableOffset = Number(p.lastStableOffset)
    const abortedNow = (p.abortedTransactions ?? []).map((a) => ({ producerId: a.producerId, firstOffset: Number(a.firstOffset) }))
    for (const a of abortedNow) aborted.push(`${a.producerId}@${a.firstOffset}`)
    const skipping = new Set<bigint>()
    const batches = decodeRecordBatches(p.records ?? Buffer.alloc(0))
    if (batches.length === 0) break
    for (const b of batches) {
      const base = Number(b.baseOffset)
      for (const a of abortedNow) if (a.producerId === b.producerId && a.firstOffset <= base) skipping.add(b.producerId)
      if (b.isControl) {
        if (decodeControlRecord(b.records[0]!).marker === 'ABORT') {
          skipping.delete(b.producerId)
          const i = abortedNow.findIndex((a) => a.producerId === b.producerId)
          if (i >= 0) abortedNow.splice(i, 1)
        }
      } else if (!(isolationLevel === 1 && b.isTransactional && skipping.has(b.producerId))) {
        for (const r of b.records) if (r.offset >= offset) values.push({ offset: r.offset, value: r.value?.toString() ?? '' })
      }
      offset = base + b.lastOffsetDelta + 1
    }
  }
  return { values, highWatermark, lastStableOffset, aborted }
}

/** A producer id and epoch from InitProducerId (v4); throws on an error. */
export async function initProducerId(client: RawClient, transactionalId: string | null = null, timeoutMs = 60_000): Promise<{ producerId: bigint; producerEpoch: number }> {
  const res = await client.request(InitProducerIdApi, 4, { transactionalId, transactionTimeoutMs: timeoutMs, producerId: -1n, producerEpoch: -1 })
  if (res.errorCode !== ErrorCode.NONE) throw errorForCode(res.errorCode, `InitProducerId for ${transactionalId}`)!
  return { producerId: res.producerId, producerEpoch: res.producerEpoch }
}

/** A transactional producer driven by raw requests: enough to leave transactions in any state. */
export class RawTxnProducer {
  private sequence = new Map<string, number>()

  private constructor(
    private readonly client: RawClient,
    readonly transactionalId: string,
    readonly producerId: bigint,
    readonly producerEpoch: number,
  ) {}

  /** InitProducerId for `transactionalId` with this transaction timeout. */
  static async init(client: RawClient, transactionalId: string, timeoutMs = 60_000): Promise<RawTxnProducer> {
    const { producerId, producerEpoch } = await initProducerId(client, transactionalId, timeoutMs)
    return new RawTxnProducer(client, transactionalId, producerId, producerEpoch)
  }

  /** The same producer (id, epoch, sequences) speaking over another connection, after a restart. */
  over(client: RawClient): RawTxnProducer {
    const moved = new RawTxnProducer(client, this.transactionalId, this.producerId, this.producerEpoch)
    moved.sequence = new Map(this.sequence)
    return moved
  }

  /** AddPartitionsToTxn v3 for partitions of one topic; answers each partition's error code. */
  async addPartitions(topic: string, partitions: number[]): Promise<number[]> {
    const res = await this.client.request(AddPartitionsToTxnApi, 3, {
      v3AndBelowTransactionalId: this.transactionalId,
      v3AndBelowProducerId: this.producerId,
      v3AndBelowProducerEpoch: this.producerEpoch,
      v3AndBelowTopics: [{ name: topic, partitions }],
    })
    return res.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode))
  }

  /** Produces transactional records (Produce v9); answers the error code and base offset. */
  async produce(topic: string, partition: number, values: string[]): Promise<{ errorCode: number; baseOffset: number }> {
    const key = `${topic}-${partition}`
    const seq = this.sequence.get(key) ?? 0
    const records = textBatch(values.map((value) => ({ value })), { isTransactional: true, producerId: this.producerId, producerEpoch: this.producerEpoch, baseSequence: seq })
    const res = await this.client.request(ProduceApi, 9, { transactionalId: this.transactionalId, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] })
    const p = res.responses[0]!.partitionResponses[0]!
    if (p.errorCode === ErrorCode.NONE) this.sequence.set(key, seq + values.length)
    return { errorCode: p.errorCode, baseOffset: Number(p.baseOffset) }
  }

  /** EndTxn v3; answers the error code. */
  async end(commit: boolean): Promise<number> {
    const res = await this.client.request(EndTxnApi, 3, { transactionalId: this.transactionalId, producerId: this.producerId, producerEpoch: this.producerEpoch, committed: commit })
    return res.errorCode
  }
}
