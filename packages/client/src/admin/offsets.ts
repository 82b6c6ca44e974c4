import { DeleteRecordsApi, ListOffsetsApi, errorForCode } from '@tributary/protocol'
import type { Cluster } from '../cluster/cluster.js'
import { groupByLeader, partitionPath, perBroker, toBigInt, type TopicPartitionRef } from './routing.js'
import { settle, type AdminCallOptions, type Outcomes } from './settle.js'

/** Which offset to look up: the log start, the end (next offset to be written), or the first offset at or after a time. */
export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number | bigint | Date }

/** Partitions whose offsets to look up; all of the topic's partitions when `partitions` is omitted. */
export interface ListOffsetsQuery {
  topic: string
  partitions?: number[]
  /** Default `'latest'`. */
  at?: OffsetSpec
}

export interface ListedOffset {
  topic: string
  partition: number
  /** The offset found; -1 when a timestamp lies after every record. */
  offset: bigint
  /** The timestamp of the record at `offset` for timestamp lookups; -1 otherwise. */
  timestamp: bigint
  leaderEpoch: number
}

export interface ListOffsetsOptions extends AdminCallOptions {
  /** `read_committed` makes 'latest' the last stable offset (before open transactions). Default `read_uncommitted`. */
  isolationLevel?: 'read_uncommitted' | 'read_committed'
}

interface OffsetElement extends TopicPartitionRef {
  timestamp: bigint
}

const LATEST = -1n
const EARLIEST = -2n

function specTimestamp(spec: OffsetSpec | undefined): bigint {
  if (spec === undefined || spec === 'latest') return LATEST
  if (spec === 'earliest') return EARLIEST
  const t = spec.timestamp
  return t instanceof Date ? BigInt(t.getTime()) : toBigInt(t, 'timestamp')
}

/** See {@link Admin.listOffsets}. */
export async function listOffsets(cluster: Cluster, queries: readonly ListOffsetsQuery[], options: ListOffsetsOptions = {}): Promise<ListedOffset[]> {
  const needAll = queries.filter((q) => q.partitions === undefined).map((q) => q.topic)
  const meta = needAll.length > 0 ? await cluster.retry(() => cluster.metadata(needAll), options) : undefined
  const elements: OffsetElement[] = queries.flatMap((q) => {
    const partitions = q.partitions ?? meta!.topics.get(q.topic)?.partitions.map((p) => p.partition) ?? [0]
    return partitions.map((partition) => ({ topic: q.topic, partition, timestamp: specTimestamp(q.at) }))
  })
  const isolationLevel = options.isolationLevel === 'read_committed' ? 1 : 0
  const results = await settle(
    cluster,
    'listOffsets',
    elements,
    partitionPath,
    async (pending) => {
      const { byNode, leaderEpochs, errors } = await groupByLeader(cluster, pending)
      const outcomes = await perBroker(cluster, byNode, async (conn, group) => {
        const topics = [...new Set(group.map((e) => e.topic))].map((name) => ({
          name,
          partitions: group.filter((e) => e.topic === name).map((e) => ({ partitionIndex: e.partition, timestamp: e.timestamp, currentLeaderEpoch: leaderEpochs.get(e) ?? -1, maxNumOffsets: 1 })),
        }))
        const version = conn.versionFor(ListOffsetsApi)
        const response = await conn.request(ListOffsetsApi, { replicaId: -1, isolationLevel, topics }, { version })
        const out: Outcomes<OffsetElement, ListedOffset> = new Map()
        for (const e of group) {
          const p = response.topics.find((t) => t.name === e.topic)?.partitions.find((x) => x.partitionIndex === e.partition)
          if (!p) continue
          const offset = version === 0 ? (p.oldStyleOffsets[0] ?? -1n) : p.offset
          out.set(e, errorForCode(p.errorCode, `${e.topic}-${e.partition}`) ?? { topic: e.topic, partition: e.partition, offset, timestamp: p.timestamp, leaderEpoch: p.leaderEpoch })
        }
        return out
      })
      for (const [k, v] of errors) outcomes.set(k, v)
      return outcomes
    },
    options,
  )
  return elements.map((e) => results.get(e)!)
}

/** Delete a partition's records before `beforeOffset` (-1 or 'latest': every record, up to the high watermark). */
export interface RecordsToDelete {
  topic: string
  partition: number
  beforeOffset: number | bigint | 'latest'
}

export interface DeletedRecords {
  topic: string
  partition: number
  /** The partition's new log start offset. */
  lowWatermark: bigint
}

/** See {@link Admin.deleteRecords}. */
export async function deleteRecords(cluster: Cluster, requests: readonly RecordsToDelete[], options: AdminCallOptions = {}): Promise<DeletedRecords[]> {
  const timeoutMs = options.timeoutMs ?? cluster.options.defaultApiTimeoutMs
  const results = await settle(
    cluster,
    'deleteRecords',
    requests,
    partitionPath,
    async (pending) => {
      const { byNode, errors } = await groupByLeader(cluster, pending)
      const outcomes = await perBroker(cluster, byNode, async (conn, group) => {
        const topics = [...new Set(group.map((e) => e.topic))].map((name) => ({
          name,
          partitions: group
            .filter((e) => e.topic === name)
            .map((e) => ({ partitionIndex: e.partition, offset: e.beforeOffset === 'latest' ? -1n : toBigInt(e.beforeOffset, 'beforeOffset') })),
        }))
        const response = await conn.request(DeleteRecordsApi, { timeoutMs, topics }, { timeoutMs: timeoutMs + cluster.options.requestTimeoutMs })
        const out: Outcomes<RecordsToDelete, DeletedRecords> = new Map()
        for (const e of group) {
          const p = response.topics.find((t) => t.name === e.topic)?.partitions.find((x) => x.partitionIndex === e.partition)
          if (p) out.set(e, errorForCode(p.errorCode, `${e.topic}-${e.partition}`) ?? { topic: e.topic, partition: e.partition, lowWatermark: p.lowWatermark })
        }
        return out
      })
      for (const [k, v] of errors) outcomes.set(k, v)
      return outcomes
    },
    options,
  )
  return requests.map((r) => results.get(r)!)
}
