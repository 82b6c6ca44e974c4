import { CreateTopicsApi, ErrorCode, FetchApi, ProduceApi, errorForCode, type FetchResponsePartitionData } from '@tributary/protocol'
import type { RawClient } from './raw-client.js'

/**
 * One-call wrappers over {@link RawClient} for the requests most tests need, at versions every
 * Kafka-compatible broker serves. They throw when the broker answers an error, unless noted.
 */

/** Creates a topic (CreateTopics v7); throws on any error. */
export async function createTopic(client: RawClient, name: string, partitions = 1, configs: Record<string, string> = {}): Promise<void> {
  const res = await client.request(CreateTopicsApi, 7, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, configs: Object.entries(configs).map(([k, value]) => ({ name: k, value })) }],
    timeoutMs: 10_000,
  })
  const t = res.topics[0]!
  const err = errorForCode(t.errorCode, `creating ${name}: ${t.errorMessage ?? ''}`)
  if (err) throw err
}

/** Produces record-batch bytes to one partition (Produce v9, acks -1 by default); resolves with the base offset. */
export async function produce(client: RawClient, topic: string, partition: number, records: Buffer, options: { acks?: number; version?: number } = {}): Promise<number> {
  const res = await client.request(ProduceApi, options.version ?? 9, { acks: options.acks ?? -1, timeoutMs: 10_000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] })
  const p = res.responses[0]!.partitionResponses[0]!
  const err = errorForCode(p.errorCode, `producing to ${topic}-${partition}: ${p.errorMessage ?? ''}`)
  if (err) throw err
  return Number(p.baseOffset)
}

/** Options of {@link fetchPartition}. */
export interface FetchPartitionOptions {
  maxWaitMs?: number
  minBytes?: number
  maxBytes?: number
  partitionMaxBytes?: number
  isolationLevel?: number
  version?: number
}

/**
 * Fetches one partition once, sessionless (Fetch v11 by default), and returns its partition data,
 * errors included.
 */
export async function fetchPartition(client: RawClient, topic: string, partition: number, offset: number, o: FetchPartitionOptions = {}): Promise<FetchResponsePartitionData> {
  const res = await client.request(FetchApi, o.version ?? 11, {
    replicaId: -1,
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: o.minBytes ?? 1,
    maxBytes: o.maxBytes ?? 50 * 1024 * 1024,
    isolationLevel: o.isolationLevel ?? 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition, fetchOffset: BigInt(offset), partitionMaxBytes: o.partitionMaxBytes ?? 10 * 1024 * 1024, currentLeaderEpoch: -1, logStartOffset: -1n }] }],
  })
  if (res.errorCode !== ErrorCode.NONE) throw errorForCode(res.errorCode, `fetching ${topic}-${partition}`)!
  return res.responses[0]!.partitions[0]!
}
