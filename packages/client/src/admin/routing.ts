import { ErrorCode, KafkaError, MetadataApi, errorForCode } from '@tributary/protocol'
import { partitionOf, type Cluster } from '../cluster/cluster.js'
import { topicsFromResponse, type BrokerNode, type ClusterMetadata, type TopicMetadata } from '../cluster/metadata.js'
import type { Connection } from '../connection/connection.js'
import { toKafkaError } from '../errors/aggregate-error.js'
import { finalError, type Outcomes } from './settle.js'

/** A topic-partition an admin call addresses. */
export interface TopicPartitionRef {
  topic: string
  partition: number
}

/**
 * Metadata for `topics` (null: every topic) straight from a broker, without adding the topics to the
 * cluster's tracked set. Never auto-creates topics.
 */
export async function fetchMetadata(cluster: Cluster, topics: readonly string[] | null): Promise<{ brokers: Map<number, BrokerNode>; controllerId: number; clusterId: string | null; topics: Map<string, TopicMetadata> }> {
  const conn = await cluster.anyConnection()
  const version = conn.versionFor(MetadataApi)
  const response = await conn.request(
    MetadataApi,
    { topics: topics === null ? (version === 0 ? [] : null) : topics.map((name) => ({ name })), allowAutoTopicCreation: false },
    { version },
  )
  const brokers = new Map(response.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]))
  return { brokers, controllerId: response.controllerId, clusterId: response.clusterId, topics: topicsFromResponse(response) }
}

/**
 * Groups partitions by their leader's node id, from the cluster's metadata (refreshed when a partition
 * is missing, in case partitions were just added). A topic that does not exist, or a partition it does
 * not have, is a final error for that element; a partition without a leader is a retriable one.
 */
export async function groupByLeader<K extends TopicPartitionRef>(
  cluster: Cluster,
  elements: readonly K[],
): Promise<{ byNode: Map<number, K[]>; leaderEpochs: Map<K, number>; errors: Outcomes<K, never> }> {
  const topics = [...new Set(elements.map((e) => e.topic))]
  const asked = Date.now()
  let meta: ClusterMetadata = await cluster.metadata(topics)
  const missing = (m: ClusterMetadata) => elements.some((e) => !m.topics.get(e.topic)?.partitions.some((p) => p.partition === e.partition))
  if (missing(meta) && meta.fetchedAt < asked) meta = await cluster.refreshMetadata([...new Set([...meta.topics.keys(), ...topics])])
  const byNode = new Map<number, K[]>()
  const leaderEpochs = new Map<K, number>()
  const errors: Outcomes<K, never> = new Map()
  for (const element of elements) {
    let leader: number
    try {
      const p = partitionOf(meta, element.topic, element.partition)
      leader = p.leader
      leaderEpochs.set(element, p.leaderEpoch)
    } catch (err) {
      const error = toKafkaError(err)
      errors.set(element, error.code === 'UNKNOWN_TOPIC_OR_PARTITION' ? finalError(error) : error)
      continue
    }
    if (leader < 0 || !meta.brokers.has(leader)) {
      errors.set(element, errorForCode(ErrorCode.LEADER_NOT_AVAILABLE, `${element.topic}-${element.partition}`)!)
      continue
    }
    const list = byNode.get(leader) ?? []
    list.push(element)
    byNode.set(leader, list)
  }
  return { byNode, leaderEpochs, errors }
}

/**
 * Sends one request per broker in parallel and merges the outcomes. A broker whose request fails as a
 * whole (connection lost, timeout) gives that error to each of its elements, so only they are retried.
 */
export async function perBroker<K, R>(
  cluster: Cluster,
  byNode: ReadonlyMap<number, readonly K[]>,
  send: (conn: Connection, elements: readonly K[]) => Promise<Outcomes<K, R>>,
): Promise<Outcomes<K, R>> {
  const merged: Outcomes<K, R> = new Map()
  await Promise.all(
    [...byNode].map(async ([nodeId, elements]) => {
      try {
        const conn = await cluster.connectionTo(nodeId)
        for (const [k, v] of await send(conn, elements)) merged.set(k, v)
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err
        for (const element of elements) merged.set(element, err)
      }
    }),
  )
  return merged
}

/** `/topics/<topic>/partitions/<n>`. */
export function partitionPath(ref: TopicPartitionRef): string {
  return `/topics/${ref.topic}/partitions/${ref.partition}`
}

/** Converts a `number | bigint` offset or timestamp to bigint, refusing numbers that are not exact integers. */
export function toBigInt(value: number | bigint, what: string): bigint {
  if (typeof value === 'bigint') return value
  if (!Number.isSafeInteger(value)) throw new KafkaError(`${what} must be an integer (a bigint beyond 2^53), got ${value}`, { code: 'INVALID_ARGUMENT' })
  return BigInt(value)
}
