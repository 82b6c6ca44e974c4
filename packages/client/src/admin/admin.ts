import { Cluster } from '../cluster/cluster.js'
import { clientOptionsSchema, type ClientOptions } from '../options/client-options.js'
import { parseOptions } from '../options/parse-options.js'
import { ClientClosedError } from '../errors/client-errors.js'
import { alterConfigs, describeConfigs, type ConfigAlteration, type ConfigResource, type ConfigResourceDescription } from './configs.js'
import { fetchGroupOffsets, groupLag, type GroupLag, type GroupOffset, type GroupOffsetsOptions } from './group-offsets.js'
import { deleteGroups, describeGroups, listGroups, type GroupDescription, type ListedGroup } from './groups.js'
import { deleteRecords, listOffsets, type DeletedRecords, type ListOffsetsOptions, type ListOffsetsQuery, type ListedOffset, type RecordsToDelete } from './offsets.js'
import type { AdminCallOptions } from './settle.js'
import {
  assertUnique,
  createPartitions,
  createTopics,
  deleteTopics,
  describeTopics,
  listTopics,
  type CreateTopicsOptions,
  type CreatedTopic,
  type NewPartitions,
  type NewTopic,
  type TopicDescription,
} from './topics.js'

/** Admin client options: the common client options (see {@link clientOptionsSchema}). */
export const adminOptionsSchema = clientOptionsSchema
export type AdminOptions = ClientOptions

/**
 * Manages topics, partitions, configs, offsets and consumer groups of any Kafka-compatible cluster.
 * Connects lazily, on the first call. Calls retry retriable failures (a leader moving, a coordinator
 * loading) within `defaultApiTimeoutMs`; calls about several elements report the elements that failed
 * together in one {@link KafkaAggregateError} keyed by path, such as `/topics/orders`.
 *
 * @example
 * ```ts
 * const admin = new Admin({ bootstrapServers: ['localhost:9092'] })
 * await admin.createTopics([{ name: 'orders', partitions: 3 }])
 * console.log(await admin.listTopics()) // ['orders']
 * await admin.close()
 * ```
 */
export class Admin {
  /** The connections and metadata this client uses; shared with nothing else. */
  readonly cluster: Cluster
  private closed = false

  /** Validates `options` (throwing an `OptionsError` that names each bad option); does not connect. */
  constructor(options: AdminOptions) {
    this.cluster = new Cluster(parseOptions(adminOptionsSchema, options, 'Admin'))
  }

  /** Connects now instead of on the first call, failing early when no broker can be reached. */
  async connect(options: AdminCallOptions = {}): Promise<void> {
    this.checkOpen()
    await this.cluster.connect(options)
  }

  /**
   * Creates topics and resolves with what was created (ids, partition counts).
   *
   * @example
   * ```ts
   * await admin.createTopics([{ name: 'orders', partitions: 3, replicationFactor: 1, configs: { 'retention.ms': '86400000' } }])
   * ```
   */
  async createTopics(topics: readonly NewTopic[], options?: CreateTopicsOptions): Promise<CreatedTopic[]> {
    this.checkOpen()
    assertUnique('createTopics', topics.map((t) => t.name))
    return createTopics(this.cluster, topics, options)
  }

  /** Deletes topics. @example `await admin.deleteTopics(['orders'])` */
  async deleteTopics(names: readonly string[], options?: AdminCallOptions): Promise<void> {
    this.checkOpen()
    assertUnique('deleteTopics', names)
    return deleteTopics(this.cluster, names, options)
  }

  /** The names of all topics, sorted; internal topics (`__consumer_offsets`) only with `includeInternal`. @example `await admin.listTopics()` */
  async listTopics(options?: AdminCallOptions & { includeInternal?: boolean }): Promise<string[]> {
    this.checkOpen()
    return listTopics(this.cluster, options)
  }

  /**
   * Partitions, leaders, replicas and topic ids of topics, and with `includeConfigs` their configs.
   *
   * @example
   * ```ts
   * const [orders] = await admin.describeTopics(['orders'], { includeConfigs: true })
   * orders.partitions.map((p) => p.leader)
   * ```
   */
  async describeTopics(names: readonly string[], options: AdminCallOptions & { includeConfigs?: boolean } = {}): Promise<TopicDescription[]> {
    this.checkOpen()
    assertUnique('describeTopics', names)
    const topics = await describeTopics(this.cluster, names, options)
    if (options.includeConfigs) {
      const configs = await describeConfigs(this.cluster, names.map((name) => ({ type: 'topic', name })), options)
      topics.forEach((t, i) => (t.configs = Object.fromEntries(configs[i]!.configs.map((c) => [c.name, c.value]))))
    }
    return topics
  }

  /** Raises topics' partition counts to `count` (a total, not an increment). @example `await admin.createPartitions([{ topic: 'orders', count: 6 }])` */
  async createPartitions(requests: readonly NewPartitions[], options?: CreateTopicsOptions): Promise<void> {
    this.checkOpen()
    assertUnique('createPartitions', requests.map((r) => r.topic))
    return createPartitions(this.cluster, requests, options)
  }

  /**
   * Configs of topics, brokers and other resources, with where each value comes from.
   *
   * @example
   * ```ts
   * const [{ configs }] = await admin.describeConfigs([{ type: 'topic', name: 'orders', keys: ['retention.ms'] }])
   * ```
   */
  async describeConfigs(resources: readonly ConfigResource[], options?: AdminCallOptions & { includeSynonyms?: boolean; includeDocumentation?: boolean }): Promise<ConfigResourceDescription[]> {
    this.checkOpen()
    return describeConfigs(this.cluster, resources, options)
  }

  /**
   * Changes configs, leaving the others as they are: IncrementalAlterConfigs where the broker has it,
   * else the legacy AlterConfigs applied to the current values.
   *
   * @example
   * ```ts
   * await admin.alterConfigs([{ type: 'topic', name: 'orders', ops: [{ name: 'retention.ms', value: '3600000' }, { name: 'cleanup.policy', op: 'delete' }] }])
   * ```
   */
  async alterConfigs(alterations: readonly ConfigAlteration[], options?: AdminCallOptions & { validateOnly?: boolean }): Promise<void> {
    this.checkOpen()
    return alterConfigs(this.cluster, alterations, options)
  }

  /**
   * Earliest, latest, or first-at-a-time offsets of partitions (offsets are bigints).
   *
   * @example
   * ```ts
   * const ends = await admin.listOffsets([{ topic: 'orders' }])                       // latest, all partitions
   * const starts = await admin.listOffsets([{ topic: 'orders', partitions: [0], at: 'earliest' }])
   * const since = await admin.listOffsets([{ topic: 'orders', at: { timestamp: Date.now() - 3_600_000 } }])
   * ```
   */
  async listOffsets(queries: readonly ListOffsetsQuery[], options?: ListOffsetsOptions): Promise<ListedOffset[]> {
    this.checkOpen()
    return listOffsets(this.cluster, queries, options)
  }

  /** Deletes records before an offset, moving the partitions' log start. @example `await admin.deleteRecords([{ topic: 'orders', partition: 0, beforeOffset: 100n }])` */
  async deleteRecords(requests: readonly RecordsToDelete[], options?: AdminCallOptions): Promise<DeletedRecords[]> {
    this.checkOpen()
    return deleteRecords(this.cluster, requests, options)
  }

  /** Groups known to every broker, optionally filtered by state (`'Stable'`, `'Empty'`, …). @example `await admin.listGroups({ states: ['Stable'] })` */
  async listGroups(options?: AdminCallOptions & { states?: string[]; types?: string[] }): Promise<ListedGroup[]> {
    this.checkOpen()
    return listGroups(this.cluster, options)
  }

  /** State, protocol and members (with decoded assignments) of groups. @example `const [billing] = await admin.describeGroups(['billing'])` */
  async describeGroups(groupIds: readonly string[], options?: AdminCallOptions): Promise<GroupDescription[]> {
    this.checkOpen()
    assertUnique('describeGroups', groupIds)
    return describeGroups(this.cluster, groupIds, options)
  }

  /** Deletes groups (which must have no members). @example `await admin.deleteGroups(['old-group'])` */
  async deleteGroups(groupIds: readonly string[], options?: AdminCallOptions): Promise<void> {
    this.checkOpen()
    assertUnique('deleteGroups', groupIds)
    return deleteGroups(this.cluster, groupIds, options)
  }

  /** A group's committed offsets. @example `await admin.fetchGroupOffsets('billing', { topics: ['orders'] })` */
  async fetchGroupOffsets(groupId: string, options?: GroupOffsetsOptions): Promise<GroupOffset[]> {
    this.checkOpen()
    return fetchGroupOffsets(this.cluster, groupId, options)
  }

  /** How far a group is behind: committed offsets against end offsets, per partition. @example `await admin.groupLag('billing')` */
  async groupLag(groupId: string, options?: GroupOffsetsOptions & { isolationLevel?: 'read_uncommitted' | 'read_committed' }): Promise<GroupLag[]> {
    this.checkOpen()
    return groupLag(this.cluster, groupId, options)
  }

  /** Closes the connections. Calls in flight fail; later calls throw. */
  async close(): Promise<void> {
    this.closed = true
    this.cluster.close()
  }

  private checkOpen(): void {
    if (this.closed) throw new ClientClosedError('The Admin client')
  }
}
