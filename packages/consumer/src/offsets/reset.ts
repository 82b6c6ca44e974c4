import { partitionOf, type Cluster } from '@tributary/client'
import { ErrorCode, KafkaError, ListOffsetsApi, errorForCode } from '@tributary/protocol'
import { byTopic, tpKey, type TopicPartition } from '../record.js'

/** ListOffsets' special timestamps. */
const TIMESTAMP: Record<'earliest' | 'latest', bigint> = { earliest: -2n, latest: -1n }

/**
 * The earliest or latest offset of each partition (ListOffsets, one request per leader, retried on
 * retriable errors; `signal` ends them). With `read_committed`, "latest" is the last stable offset, as Kafka answers it.
 */
export async function listOffsets(
  cluster: Cluster,
  partitions: readonly TopicPartition[],
  at: 'earliest' | 'latest',
  isolationLevel: 0 | 1,
  signal?: AbortSignal,
): Promise<Map<string, number>> {
  return cluster.retry(async () => {
    const meta = await cluster.metadata([...new Set(partitions.map((p) => p.topic))])
    const byLeader = new Map<number, TopicPartition[]>()
    for (const tp of partitions) {
      const { leader } = partitionOf(meta, tp.topic, tp.partition)
      if (leader < 0) throw errorForCode(ErrorCode.LEADER_NOT_AVAILABLE, `${tp.topic}-${tp.partition}`)!
      let list = byLeader.get(leader)
      if (!list) byLeader.set(leader, (list = []))
      list.push(tp)
    }
    const result = new Map<string, number>()
    await Promise.all(
      [...byLeader].map(async ([nodeId, tps]) => {
        const conn = await cluster.connectionTo(nodeId)
        const response = await conn.request(ListOffsetsApi, {
          replicaId: -1,
          isolationLevel,
          topics: [...byTopic(tps)].map(([name, parts]) => ({
            name,
            partitions: parts.map((partitionIndex) => ({ partitionIndex, timestamp: TIMESTAMP[at], currentLeaderEpoch: -1, maxNumOffsets: 1 })),
          })),
        })
        for (const t of response.topics) {
          for (const p of t.partitions) {
            const error = errorForCode(p.errorCode, `listing the ${at} offset of ${t.name}-${p.partitionIndex}`)
            if (error) throw error
            const offset = p.offset >= 0n ? p.offset : (p.oldStyleOffsets[0] ?? -1n)
            if (offset < 0n) throw new KafkaError(`ListOffsets returned no ${at} offset for ${t.name}-${p.partitionIndex}`, { code: 'OFFSET_NOT_AVAILABLE', retriable: true })
            result.set(tpKey(t.name, p.partitionIndex), Number(offset))
          }
        }
      }),
    )
    for (const tp of partitions) {
      if (!result.has(tpKey(tp.topic, tp.partition))) throw new KafkaError(`ListOffsets did not answer for ${tp.topic}-${tp.partition}`, { code: 'OFFSET_NOT_AVAILABLE', retriable: true })
    }
    return result
  }, { signal })
}
