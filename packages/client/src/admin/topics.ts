import { CreatePartitionsApi, CreateTopicsApi, DeleteTopicsApi, KafkaError, errorForCode } from '@tributary/protocol'
import type { Cluster } from '../cluster/cluster.js'
import { fetchMetadata } from './routing.js'
import { finalError, settle, type AdminCallOptions, type Outcomes } from './settle.js'

/** A topic to create. Omitted counts use the broker's defaults (`num.partitions`, `default.replication.factor`). */
export interface NewTopic {
  name: string
  partitions?: number
  replicationFactor?: number
  /** Topic configs, e.g. `{ 'cleanup.policy': 'compact', 'retention.ms': '86400000' }`. */
  configs?: Record<string, string>
  /** Explicit replica placement: broker ids per partition, index = partition (instead of counts). */
  assignments?: number[][]
}

/** A topic as created (or, with `validateOnly`, as it would be). */
export interface CreatedTopic {
  name: string
  /** The new topic's id (CreateTopics v7+), else the zero UUID. */
  topicId: string
  /** The partition count (from the broker on CreateTopics v5+, else as requested; -1 when unknown). */
  partitions: number
  replicationFactor: number
}

/** One partition of a described topic. */
export interface PartitionDescription {
  partition: number
  /** The leader's node id, or -1 during an election. */
  leader: number
  leaderEpoch: number
  replicas: number[]
  isr: number[]
  offlineReplicas: number[]
}

export interface TopicDescription {
  name: string
  topicId: string
  isInternal: boolean
  partitions: PartitionDescription[]
  /** The topic's configs by name, when asked for with `includeConfigs`. */
  configs?: Record<string, string | null>
}

export interface CreateTopicsOptions extends AdminCallOptions {
  /** Check the request without creating anything. */
  validateOnly?: boolean
}

const path = (name: string) => `/topics/${name}`

/** See {@link Admin.createTopics}. */
export async function createTopics(cluster: Cluster, topics: readonly NewTopic[], options: CreateTopicsOptions = {}): Promise<CreatedTopic[]> {
  const timeoutMs = options.timeoutMs ?? cluster.options.defaultApiTimeoutMs
  const results = await settle(
    cluster,
    'createTopics',
    topics,
    (t) => path(t.name),
    async (pending) => {
      const conn = await cluster.controllerConnection()
      const version = conn.versionFor(CreateTopicsApi)
      // Version 4 added "use the broker's default" (-1); earlier brokers need explicit counts.
      const orDefault = (n: number | undefined) => n ?? (version >= 4 ? -1 : 1)
      const response = await conn.request(
        CreateTopicsApi,
        {
          timeoutMs,
          validateOnly: options.validateOnly ?? false,
          topics: pending.map((t) => ({
            name: t.name,
            numPartitions: t.assignments ? -1 : orDefault(t.partitions),
            replicationFactor: t.assignments ? -1 : orDefault(t.replicationFactor),
            assignments: (t.assignments ?? []).map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })),
            configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
          })),
        },
        { version, timeoutMs: timeoutMs + cluster.options.requestTimeoutMs },
      )
      const outcomes: Outcomes<NewTopic, CreatedTopic> = new Map()
      for (const t of pending) {
        const r = response.topics.find((x) => x.name === t.name)
        if (!r) continue
        const error = controllerError(r.errorCode, r.errorMessage ?? `topic "${t.name}"`)
        outcomes.set(
          t,
          error ?? {
            name: r.name,
            topicId: r.topicId,
            partitions: version >= 5 ? r.numPartitions : (t.assignments?.length ?? t.partitions ?? -1),
            replicationFactor: version >= 5 ? r.replicationFactor : (t.assignments?.[0]?.length ?? t.replicationFactor ?? -1),
          },
        )
      }
      return outcomes
    },
    options,
  )
  return topics.map((t) => results.get(t)!)
}

/** See {@link Admin.deleteTopics}. */
export async function deleteTopics(cluster: Cluster, names: readonly string[], options: AdminCallOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? cluster.options.defaultApiTimeoutMs
  await settle(
    cluster,
    'deleteTopics',
    names,
    path,
    async (pending) => {
      const conn = await cluster.controllerConnection()
      const response = await conn.request(
        DeleteTopicsApi,
        (version) => (version >= 6 ? { timeoutMs, topics: pending.map((name) => ({ name })) } : { timeoutMs, topicNames: pending }),
        { timeoutMs: timeoutMs + cluster.options.requestTimeoutMs },
      )
      const outcomes: Outcomes<string, true> = new Map()
      for (const r of response.responses) {
        if (r.name === null) continue
        outcomes.set(r.name, controllerError(r.errorCode, r.errorMessage ?? `topic "${r.name}"`) ?? true)
      }
      return outcomes
    },
    options,
  )
  cluster.forgetTopics(names)
}

/** See {@link Admin.listTopics}. */
export async function listTopics(cluster: Cluster, options: AdminCallOptions & { includeInternal?: boolean } = {}): Promise<string[]> {
  const meta = await cluster.retry(() => fetchMetadata(cluster, null), options)
  return [...meta.topics.values()]
    .filter((t) => !t.error && (options.includeInternal || !t.isInternal))
    .map((t) => t.name)
    .sort()
}

/** See {@link Admin.describeTopics}. Configs come from {@link describeConfigs} and are fetched by the caller. */
export async function describeTopics(cluster: Cluster, names: readonly string[], options: AdminCallOptions = {}): Promise<TopicDescription[]> {
  const results = await settle(
    cluster,
    'describeTopics',
    names,
    path,
    async (pending) => {
      const meta = await fetchMetadata(cluster, pending)
      const outcomes: Outcomes<string, TopicDescription> = new Map()
      for (const name of pending) {
        const t = meta.topics.get(name)
        if (!t) continue
        if (t.error) {
          // A topic that does not exist will not appear by retrying; an election in progress will end.
          outcomes.set(name, t.error.code === 'UNKNOWN_TOPIC_OR_PARTITION' ? finalError(t.error) : t.error)
          continue
        }
        outcomes.set(name, {
          name,
          topicId: t.topicId,
          isInternal: t.isInternal,
          partitions: t.partitions.map(({ partition, leader, leaderEpoch, replicas, isr, offlineReplicas }) => ({ partition, leader, leaderEpoch, replicas, isr, offlineReplicas })),
        })
      }
      return outcomes
    },
    options,
  )
  return names.map((n) => results.get(n)!)
}

/** A topic's new total partition count, optionally with replica placement for the added partitions. */
export interface NewPartitions {
  topic: string
  /** The total number of partitions after the call (not the number added). */
  count: number
  /** Broker ids for each added partition. */
  assignments?: number[][]
}

/** See {@link Admin.createPartitions}. */
export async function createPartitions(cluster: Cluster, requests: readonly NewPartitions[], options: CreateTopicsOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? cluster.options.defaultApiTimeoutMs
  await settle(
    cluster,
    'createPartitions',
    requests,
    (r) => path(r.topic),
    async (pending) => {
      const conn = await cluster.controllerConnection()
      const response = await conn.request(
        CreatePartitionsApi,
        {
          timeoutMs,
          validateOnly: options.validateOnly ?? false,
          topics: pending.map((r) => ({ name: r.topic, count: r.count, assignments: r.assignments ? r.assignments.map((brokerIds) => ({ brokerIds })) : null })),
        },
        { timeoutMs: timeoutMs + cluster.options.requestTimeoutMs },
      )
      const outcomes: Outcomes<NewPartitions, true> = new Map()
      for (const r of pending) {
        const result = response.results.find((x) => x.name === r.topic)
        if (result) outcomes.set(r, controllerError(result.errorCode, result.errorMessage ?? `topic "${r.topic}"`) ?? true)
      }
      return outcomes
    },
    options,
  )
  cluster.markStale()
}

/**
 * A per-topic error of a controller request (CreateTopics, DeleteTopics, CreatePartitions). As in Kafka's
 * own admin client, only NOT_CONTROLLER (the controller moved: refresh metadata and resend) is retried;
 * anything else is the answer for that topic, even codes retriable elsewhere (a topic that does not exist
 * will not appear by deleting it again).
 */
function controllerError(errorCode: number, detail: string): KafkaError | null {
  const error = errorForCode(errorCode, detail)
  return error && error.code !== 'NOT_CONTROLLER' ? finalError(error) : error
}

/** Rejects duplicate names up front: Kafka answers a duplicate with INVALID_REQUEST for the whole call. */
export function assertUnique(what: string, names: readonly string[]): void {
  const seen = new Set<string>()
  for (const name of names) {
    if (seen.has(name)) throw new KafkaError(`${what} lists "${name}" twice`, { code: 'INVALID_ARGUMENT' })
    seen.add(name)
  }
}
