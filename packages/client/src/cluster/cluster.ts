import { ErrorCode, FindCoordinatorApi, KafkaError, MetadataApi, errorForCode, type MetadataResponse } from '@tributary/protocol'
import { Connection } from '../connection/connection.js'
import { ConnectionPool, type GetConnectionOptions } from '../connection/pool.js'
import { KafkaAggregateError } from '../errors/aggregate-error.js'
import { ClientClosedError, ConnectionError } from '../errors/client-errors.js'
import type { ResolvedClientOptions } from '../options/client-options.js'
import type { Logger } from '../options/logger.js'
import { retry, type RetryOptions } from '../retry/retry.js'
import { formatBrokerAddress, parseBrokerAddress, type BrokerAddress } from './address.js'
import { COORDINATOR_KEY_TYPE, CoordinatorCache, type CoordinatorType } from './coordinators.js'
import { EMPTY_METADATA, findPartition, mergeMetadata, type BrokerNode, type ClusterMetadata, type PartitionMetadata } from './metadata.js'

/** Cluster settings: the validated client options plus what the owning client decides. */
export interface ClusterOptions extends ResolvedClientOptions {
  /** Whether Metadata requests for unknown topics may create them (broker permitting). Default false. */
  allowAutoTopicCreation?: boolean
  /** Cap on requests awaiting a response per connection (a producer's `maxInFlightRequestsPerConnection`). */
  maxInFlightRequestsPerConnection?: number
  /** Source of randomness for backoff jitter and broker choice (tests pass a fixed one). */
  random?: () => number
}

/** Error codes after which cached partition leadership is wrong and metadata must be refreshed. */
const METADATA_REFRESH_CODES = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.BROKER_NOT_AVAILABLE,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.NOT_CONTROLLER,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.UNKNOWN_TOPIC_ID,
])
const REFRESH_CODE_NAMES = new Set([...METADATA_REFRESH_CODES].map((c) => errorForCode(c)!.code))
const COORDINATOR_CODE_NAMES = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE'])

/**
 * What a client knows about a Kafka cluster, and its connections to it: bootstrap from any of
 * `bootstrapServers`, metadata (brokers, controller, per-partition leaders and leader epochs) cached for
 * `metadataMaxAgeMs` and refreshed after errors that mean it is wrong or after a lost connection,
 * one connection per broker (per lane), and group/transaction coordinators found and cached.
 *
 * Producers, consumers and the admin client each own one.
 *
 * @example
 * ```ts
 * const cluster = new Cluster(parseOptions(clientOptionsSchema, { bootstrapServers: 'localhost:9092' }, 'Cluster'))
 * const { node } = await cluster.leaderFor('orders', 0)
 * const conn = await cluster.connectionTo(node.nodeId, { lane: 'produce' })
 * const response = await cluster.retry(() => conn.request(ListOffsetsApi, body))
 * cluster.close()
 * ```
 */
export class Cluster {
  readonly logger: Logger
  readonly pool: ConnectionPool
  private readonly bootstrap: BrokerAddress[]
  private readonly coordinators: CoordinatorCache
  private snapshot: ClusterMetadata = EMPTY_METADATA
  private stale = true
  private refreshing: { topics: Set<string> | null; promise: Promise<ClusterMetadata> } | undefined
  private closed = false

  constructor(readonly options: ClusterOptions) {
    this.logger = options.logger
    this.bootstrap = options.bootstrapServers.map(parseBrokerAddress)
    this.pool = new ConnectionPool({ ...options, maxInFlightRequests: options.maxInFlightRequestsPerConnection })
    this.coordinators = new CoordinatorCache((type, keys) => this.lookupCoordinators(type, keys))
    this.pool.onDisconnect((address) => {
      this.stale = true
      this.coordinators.invalidateAddress(address)
    })
  }

  /** The last metadata fetched, without refreshing (empty before the first fetch). */
  get current(): ClusterMetadata {
    return this.snapshot
  }

  /** Fetches the broker list once (with retries), proving the cluster is reachable. */
  async connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.retry(() => this.refreshMetadata([]), options)
  }

  /**
   * Metadata covering `topics` (default: those already known): the cached snapshot when it is fresh
   * (younger than `metadataMaxAgeMs`, not marked stale, holding every topic asked for), else a new one.
   * Topics that do not exist appear with an `error`; callers decide whether that is fatal.
   */
  async metadata(topics: readonly string[] = []): Promise<ClusterMetadata> {
    const fresh = !this.stale && Date.now() - this.snapshot.fetchedAt < this.options.metadataMaxAgeMs
    if (fresh && topics.every((t) => this.snapshot.topics.has(t))) return this.snapshot
    return this.refreshMetadata([...new Set([...this.snapshot.topics.keys(), ...topics])])
  }

  /**
   * Fetches metadata now for `topics` (null: every topic, replacing the cached list). A refresh already
   * under way that covers the same topics is shared.
   */
  refreshMetadata(topics: readonly string[] | null = [...this.snapshot.topics.keys()]): Promise<ClusterMetadata> {
    if (this.closed) return Promise.reject(new ClientClosedError('The client'))
    const wanted = topics === null ? null : new Set(topics)
    const running = this.refreshing
    if (running && (running.topics === null || (wanted !== null && [...wanted].every((t) => running.topics!.has(t))))) return running.promise
    const promise = this.fetchMetadata(wanted)
    const entry = { topics: wanted, promise }
    this.refreshing = entry
    const clear = () => {
      if (this.refreshing === entry) this.refreshing = undefined
    }
    promise.then(clear, clear)
    return promise
  }

  /** Marks the cached metadata stale: the next {@link metadata} call fetches it again. */
  markStale(): void {
    this.stale = true
  }

  /** Stops tracking topics (deleted ones), so refreshes no longer ask for them. */
  forgetTopics(names: readonly string[]): void {
    const topics = new Map(this.snapshot.topics)
    for (const name of names) topics.delete(name)
    this.snapshot = { ...this.snapshot, topics }
  }

  /**
   * Reacts to a request's error: metadata becomes stale after NOT_LEADER_OR_FOLLOWER,
   * UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, FENCED_LEADER_EPOCH, NOT_CONTROLLER and the like,
   * or a connection error; the coordinator of `context.coordinator` is forgotten after NOT_COORDINATOR,
   * COORDINATOR_NOT_AVAILABLE or a connection error. Aggregate errors are handled element by element.
   */
  handleError(error: unknown, context: { coordinator?: { type: CoordinatorType; key: string } } = {}): void {
    if (error instanceof KafkaAggregateError) {
      for (const e of error.errors.values()) this.handleError(e, context)
      return
    }
    if (!(error instanceof KafkaError)) return
    const connectionLost = error instanceof ConnectionError || error.code === 'REQUEST_TIMED_OUT'
    if (connectionLost || REFRESH_CODE_NAMES.has(error.code)) this.stale = true
    if (context.coordinator && (connectionLost || COORDINATOR_CODE_NAMES.has(error.code))) {
      this.coordinators.invalidate(context.coordinator.type, context.coordinator.key)
    }
  }

  /**
   * The leader of a partition, from metadata (refreshed if needed). Rejects with a retriable error when
   * the partition has no leader or the topic is unknown, so a {@link retry} loop waits for an election.
   */
  async leaderFor(topic: string, partition: number): Promise<{ node: BrokerNode; leaderEpoch: number }> {
    const meta = await this.metadata([topic])
    const p = partitionOf(meta, topic, partition)
    const node = meta.brokers.get(p.leader)
    if (p.leader < 0 || !node) {
      this.stale = true
      throw errorForCode(ErrorCode.LEADER_NOT_AVAILABLE, `${topic}-${partition}`)!
    }
    return { node, leaderEpoch: p.leaderEpoch }
  }

  /** A connection to the broker with `nodeId` (refreshing metadata once if the node is unknown). */
  async connectionTo(nodeId: number, options: GetConnectionOptions = {}): Promise<Connection> {
    let node = this.snapshot.brokers.get(nodeId)
    if (!node) node = (await this.refreshMetadata()).brokers.get(nodeId)
    if (!node) throw errorForCode(ErrorCode.BROKER_NOT_AVAILABLE, `node ${nodeId} is not in the cluster metadata`)!
    return this.pool.get(node, { ...options, nodeId })
  }

  /** A connection to a broker at an address (a coordinator the metadata may not list yet). */
  connectionToAddress(address: BrokerAddress & { nodeId?: number }, options: GetConnectionOptions = {}): Promise<Connection> {
    return this.pool.get(address, { nodeId: address.nodeId, ...options })
  }

  /**
   * A connection to any broker: an open one if there is one, else each known broker and then each
   * bootstrap server in turn, least recently failed first. Rejects with a {@link ConnectionError} listing
   * every failure when none can be reached.
   */
  async anyConnection(options: GetConnectionOptions = {}): Promise<Connection> {
    const open = this.pool.connections(options.lane ?? 'default').filter((c) => c.usable)
    if (open.length > 0) return open[Math.floor(this.random() * open.length)]!
    const candidates: (BrokerAddress & { nodeId?: number })[] = shuffle([...this.snapshot.brokers.values()], this.random)
    for (const address of this.bootstrap) {
      if (!candidates.some((c) => c.host === address.host && c.port === address.port)) candidates.push(address)
    }
    candidates.sort((a, b) => this.pool.reconnectDelay(a) - this.pool.reconnectDelay(b))
    const failures: string[] = []
    let last: unknown
    for (const candidate of candidates) {
      try {
        return await this.pool.get(candidate, { ...options, nodeId: candidate.nodeId })
      } catch (err) {
        if (!(err instanceof ConnectionError)) throw err
        last = err
        failures.push(`${formatBrokerAddress(candidate)}: ${err.message}`)
      }
    }
    throw new ConnectionError(
      candidates.map(formatBrokerAddress).join(', '),
      `Could not connect to any broker:\n  ${failures.join('\n  ')}`,
      { cause: last },
    )
  }

  /** A connection to the controller (any broker when the metadata names none, as KRaft brokers forward). */
  async controllerConnection(options: GetConnectionOptions = {}): Promise<Connection> {
    const meta = await this.metadata()
    const controller = meta.brokers.get(meta.controllerId)
    return controller ? this.pool.get(controller, { ...options, nodeId: controller.nodeId }) : this.anyConnection(options)
  }

  /** The coordinator of a group or transactional id (FindCoordinator, cached until invalidated). */
  coordinator(type: CoordinatorType, key: string): Promise<BrokerNode> {
    return this.coordinators.get(type, key)
  }

  /** The coordinators of several keys of one type, each a node or its lookup error; one request on FindCoordinator v4+. */
  coordinatorsFor(type: CoordinatorType, keys: readonly string[]): Promise<(BrokerNode | KafkaError)[]> {
    return this.coordinators.getMany(type, keys)
  }

  /** A connection to the coordinator of a group or transactional id. */
  async coordinatorConnection(type: CoordinatorType, key: string, options: GetConnectionOptions = {}): Promise<Connection> {
    const node = await this.coordinators.get(type, key)
    return this.pool.get(node, { ...options, nodeId: node.nodeId })
  }

  /** Forgets a cached coordinator. */
  invalidateCoordinator(type: CoordinatorType, key: string): void {
    this.coordinators.invalidate(type, key)
  }

  /**
   * Runs `operation` with the client's retry settings (`retries`, `retryBackoffMs`, `retryBackoffMaxMs`,
   * bounded by `defaultApiTimeoutMs`), passing each retriable failure to {@link handleError} first.
   */
  retry<T>(
    operation: (attempt: number) => Promise<T>,
    options: Partial<RetryOptions> & { coordinator?: { type: CoordinatorType; key: string } } = {},
  ): Promise<T> {
    const { coordinator, onRetry, ...rest } = options
    return retry(operation, {
      retries: this.options.retries,
      retryBackoffMs: this.options.retryBackoffMs,
      retryBackoffMaxMs: this.options.retryBackoffMaxMs,
      timeoutMs: this.options.defaultApiTimeoutMs,
      random: this.options.random,
      ...rest,
      onRetry: async (error, attempt, delayMs) => {
        this.handleError(error, { coordinator })
        this.logger.debug(`Retrying after ${error.code} in ${delayMs} ms`, { attempt: attempt + 1, error: error.message })
        await onRetry?.(error, attempt, delayMs)
      },
    })
  }

  /** Closes every connection. Requests in flight are rejected; the cluster cannot be used again. */
  close(): void {
    this.closed = true
    this.pool.close()
  }

  private random(): number {
    return (this.options.random ?? Math.random)()
  }

  private async fetchMetadata(topics: Set<string> | null): Promise<ClusterMetadata> {
    const conn = await this.anyConnection()
    const version = conn.versionFor(MetadataApi)
    const list = topics === null ? null : [...topics]
    // Version 0 cannot express "no topics": an empty list there means every topic.
    const body = {
      topics: list === null ? (version === 0 ? [] : null) : list.map((name) => ({ name })),
      allowAutoTopicCreation: this.options.allowAutoTopicCreation ?? false,
    }
    const response: MetadataResponse = await conn.request(MetadataApi, body, { version })
    this.snapshot = mergeMetadata(this.snapshot, response, topics === null)
    this.stale = false
    return this.snapshot
  }

  private async lookupCoordinators(type: CoordinatorType, keys: string[]): Promise<Map<string, BrokerNode | KafkaError>> {
    const conn = await this.anyConnection()
    const keyType = COORDINATOR_KEY_TYPE[type]
    const version = conn.versionFor(FindCoordinatorApi)
    const results = new Map<string, BrokerNode | KafkaError>()
    const toResult = (key: string, r: { errorCode: number; errorMessage: string | null; nodeId: number; host: string; port: number }) =>
      results.set(
        key,
        errorForCode(r.errorCode, `${type} coordinator for "${key}"${r.errorMessage ? `: ${r.errorMessage}` : ''}`) ?? { nodeId: r.nodeId, host: r.host, port: r.port, rack: null },
      )
    if (version >= 4) {
      const response = await conn.request(FindCoordinatorApi, { keyType, coordinatorKeys: keys }, { version })
      for (const c of response.coordinators) toResult(c.key, c)
    } else {
      await Promise.all(
        keys.map(async (key) => {
          toResult(key, await conn.request(FindCoordinatorApi, { key, keyType }, { version }))
        }),
      )
    }
    return results
  }
}

/**
 * A partition from a metadata snapshot, or the error explaining why it is not there (the topic's own
 * error, or UNKNOWN_TOPIC_OR_PARTITION).
 *
 * @example
 * ```ts
 * const { leader, leaderEpoch } = partitionOf(await cluster.metadata(['orders']), 'orders', 0)
 * ```
 */
export function partitionOf(meta: ClusterMetadata, topic: string, partition: number): PartitionMetadata {
  const t = meta.topics.get(topic)
  if (!t) throw errorForCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${topic}" is not in the metadata`)!
  if (t.error) throw t.error
  const p = findPartition(t.partitions, partition)
  if (!p) throw errorForCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic} has no partition ${partition}`)!
  if (p.error && p.error.code !== 'REPLICA_NOT_AVAILABLE') throw p.error
  return p
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}
