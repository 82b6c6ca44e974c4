import { errorForCode, type KafkaProtocolError, type MetadataResponse } from '@tributary/protocol'

/** A broker as the cluster metadata describes it. */
export interface BrokerNode {
  nodeId: number
  host: string
  port: number
  rack: string | null
}

/** One partition: its leader (node id, -1 when it has none), leader epoch and replicas. */
export interface PartitionMetadata {
  topic: string
  partition: number
  leader: number
  /** -1 when the broker does not report epochs (Metadata before v7). */
  leaderEpoch: number
  replicas: number[]
  isr: number[]
  offlineReplicas: number[]
  /** The partition's error in the metadata response, e.g. LEADER_NOT_AVAILABLE during an election. */
  error: KafkaProtocolError | null
}

export interface TopicMetadata {
  name: string
  /** The topic id (Metadata v10+), or the zero UUID. */
  topicId: string
  isInternal: boolean
  /** Sorted by partition number (index i is partition i unless the broker left gaps). */
  partitions: PartitionMetadata[]
  /** The topic's error, e.g. UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist. */
  error: KafkaProtocolError | null
}

/** An immutable snapshot of what the client knows about the cluster. */
export interface ClusterMetadata {
  clusterId: string | null
  /** The controller's node id, or -1 when unknown. */
  controllerId: number
  brokers: ReadonlyMap<number, BrokerNode>
  topics: ReadonlyMap<string, TopicMetadata>
  /** When this snapshot was fetched (ms since the epoch); 0 for the empty snapshot before the first fetch. */
  fetchedAt: number
}

export const EMPTY_METADATA: ClusterMetadata = Object.freeze({
  clusterId: null,
  controllerId: -1,
  brokers: new Map(),
  topics: new Map(),
  fetchedAt: 0,
})

/** The topics of a Metadata response, keyed by name (unnamed topics, possible in v12 for unknown ids, are skipped). */
export function topicsFromResponse(response: MetadataResponse): Map<string, TopicMetadata> {
  const topics = new Map<string, TopicMetadata>()
  for (const t of response.topics) {
    if (t.name === null) continue
    const name = t.name
    const partitions = t.partitions
      .map(
        (p): PartitionMetadata => ({
          topic: name,
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
          error: errorForCode(p.errorCode, `${name}-${p.partitionIndex}`),
        }),
      )
      .sort((a, b) => a.partition - b.partition)
    topics.set(name, { name, topicId: t.topicId, isInternal: t.isInternal, partitions, error: errorForCode(t.errorCode, `topic "${name}"`) })
  }
  return topics
}

/**
 * The snapshot after a Metadata response. With `replaceTopics` (a request for all topics) the topic list
 * is replaced; otherwise the response's topics are merged into the previous ones. A partition whose
 * leader epoch went backwards keeps its newer cached entry: the answering broker had stale metadata.
 */
export function mergeMetadata(previous: ClusterMetadata, response: MetadataResponse, replaceTopics: boolean, now = Date.now()): ClusterMetadata {
  const brokers = new Map<number, BrokerNode>()
  for (const b of response.brokers) brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })
  const fresh = topicsFromResponse(response)
  const topics = new Map(replaceTopics ? [] : previous.topics)
  for (const [name, topic] of fresh) {
    const old = previous.topics.get(name)
    if (old && !topic.error && old.topicId === topic.topicId) {
      topic.partitions = topic.partitions.map((p) => {
        const cached = findPartition(old.partitions, p.partition)
        return cached && cached.leaderEpoch >= 0 && p.leaderEpoch >= 0 && cached.leaderEpoch > p.leaderEpoch ? cached : p
      })
    }
    topics.set(name, topic)
  }
  return { clusterId: response.clusterId, controllerId: response.controllerId, brokers, topics, fetchedAt: now }
}

/** The partition numbered `partition` in a sorted partition list. */
export function findPartition(partitions: readonly PartitionMetadata[], partition: number): PartitionMetadata | undefined {
  const direct = partitions[partition]
  return direct?.partition === partition ? direct : partitions.find((p) => p.partition === partition)
}
