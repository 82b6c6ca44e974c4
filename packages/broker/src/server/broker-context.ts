import { setMaxListeners } from 'node:events'
import { groupConfigFromSettings } from '../groups/config.js'
import { GroupCoordinator } from '../groups/coordinator.js'
import type { HandlerRegistry } from '../handlers/index.js'
import type { CreateTopicOptions, LogManager, TopicInfo } from '../log/log-manager.js'
import type { PartitionLog } from '../log/partition-log.js'
import { INTERNAL_TOPICS, validateTopicName } from '../log/topic-name.js'
import type { AbortedRange } from '../producers/aborted-index.js'
import { ProducerStateManager } from '../producers/manager.js'
import { producerStateConfigFromSettings, transactionConfigFromSettings } from '../transactions/config.js'
import { TransactionCoordinator } from '../transactions/coordinator.js'
import type { BrokerLogger } from '../logger.js'
import type { ResolvedBrokerOptions } from '../options.js'
import { BrokerSecurity } from '../security/broker-security.js'
import { FetchSessionCache } from './fetch-sessions.js'

/** This broker as Metadata, DescribeCluster and FindCoordinator describe it. */
export interface BrokerEndpoint {
  nodeId: number
  host: string
  port: number
}

/**
 * The broker-wide state handlers share: identity, the logs, the fetch session cache, and topic
 * changes that must be logged. One per running broker. The group and transaction coordinators
 * hang off this object too, so that handlers stay free of state.
 */
export class BrokerContext {
  readonly nodeId: number
  readonly clusterId: string
  readonly logs: LogManager
  readonly logger: BrokerLogger
  readonly handlers: HandlerRegistry
  readonly fetchSessions: FetchSessionCache
  readonly options: ResolvedBrokerOptions
  /** The group coordinator: consumer groups and committed offsets (`__consumer_offsets`). */
  readonly groups: GroupCoordinator
  /** Per-partition producer state: idempotence, open and aborted transactions, the last stable offset. */
  readonly producers: ProducerStateManager
  /** The transaction coordinator: producer ids, transactions and their markers (`__transaction_state`). */
  readonly transactions: TransactionCoordinator
  /** SASL mechanisms and users, SCRAM credentials, ACLs and the authorizer. */
  readonly security: BrokerSecurity
  // Every open connection listens on this signal, so it has no listener cap (Node warns past 10 by default).
  private readonly shutdown = (() => {
    const controller = new AbortController()
    setMaxListeners(0, controller.signal)
    return controller
  })()
  private boundPort = 0

  constructor(init: { options: ResolvedBrokerOptions; clusterId: string; logs: LogManager; handlers: HandlerRegistry; clock?: () => number }) {
    this.options = init.options
    this.nodeId = init.options.nodeId
    this.clusterId = init.clusterId
    this.logs = init.logs
    this.logger = init.options.logger
    this.handlers = init.handlers
    this.fetchSessions = new FetchSessionCache({ capacity: init.options.fetchSessionCacheSlots, clock: init.clock ?? Date.now })
    this.groups = GroupCoordinator.open({ logs: init.logs, config: groupConfigFromSettings(init.options.settings), logger: init.options.logger, clock: init.clock })
    const settings = init.options.settings
    this.producers = new ProducerStateManager({ config: producerStateConfigFromSettings(settings), logger: init.options.logger, clock: init.clock })
    this.transactions = TransactionCoordinator.open({ logs: init.logs, producers: this.producers, groups: this.groups, config: transactionConfigFromSettings(settings), logger: init.options.logger, clock: init.clock })
    this.security = new BrokerSecurity({ settings: init.options.security, storage: init.logs.storage, dataDir: init.logs.dataDir, logger: init.options.logger })
  }

  /** Aborted when the broker starts shutting down; long-polling requests end early then. */
  get signal(): AbortSignal {
    return this.shutdown.signal
  }

  /** @internal Called by the broker once, as it begins to close. */
  beginShutdown(): void {
    this.shutdown.abort()
    this.transactions.close()
    this.groups.close()
  }

  /**
   * @internal Called by the broker once, after the last request was served and before the logs
   * close: writes the producer state snapshots.
   */
  finishShutdown(): void {
    this.producers.close()
  }

  /** @internal Called by the broker once its listener is bound. */
  setPort(port: number): void {
    this.boundPort = port
  }

  /**
   * The one broker of this cluster, as advertised on the first listener. Handlers answer with
   * `endpointFor(ctx.connection)` (in `security/access.ts`): the listener the request came in on.
   */
  get endpoint(): BrokerEndpoint {
    return { nodeId: this.nodeId, host: this.options.advertisedHost, port: this.boundPort }
  }

  /**
   * Creates a topic and logs it. `cause` says who asked (`'CreateTopics from client "x"'`).
   *
   * @throws KafkaError as {@link LogManager.createTopic}.
   */
  createTopic(name: string, options: CreateTopicOptions, cause: string): TopicInfo {
    const topic = this.logs.createTopic(name, options)
    if (!options.validateOnly) {
      const configs = Object.entries(topic.configs).map(([k, v]) => `${k}=${v}`)
      this.logger.info(`created topic ${name} with ${topic.partitions} partition(s)${configs.length ? ` and ${configs.join(', ')}` : ''} (${cause})`)
    }
    return topic
  }

  /**
   * Creates an unknown topic for Metadata or Produce when `auto.create.topics.enable` allows it,
   * with the default partition count. Returns undefined when auto-creation is off or the name is an
   * internal topic's (those are created by their coordinators).
   *
   * @throws KafkaError `INVALID_TOPIC_EXCEPTION` for an illegal name, when it would be created.
   */
  autoCreateTopic(name: string, cause: string): TopicInfo | undefined {
    if (!this.options.autoCreateTopics || INTERNAL_TOPICS.has(name)) return undefined
    validateTopicName(name)
    return this.createTopic(name, {}, `auto-created by ${cause}`)
  }

  /** Deletes a topic and logs it. @throws KafkaError `UNKNOWN_TOPIC_OR_PARTITION`. */
  deleteTopic(name: string, cause: string): TopicInfo {
    const topic = this.logs.deleteTopic(name)
    this.logger.info(`deleted topic ${name} (${cause})`)
    this.groups.removeOffsetsOfTopic(name)
    return topic
  }

  /** Raises a topic's partition count and logs it. @throws KafkaError as {@link LogManager.createPartitions}. */
  createPartitions(name: string, count: number, validateOnly: boolean, cause: string): TopicInfo {
    const before = this.logs.topic(name)?.partitions
    const topic = this.logs.createPartitions(name, count, { validateOnly })
    if (!validateOnly) this.logger.info(`topic ${name} now has ${count} partitions, up from ${before} (${cause})`)
    return topic
  }

  /**
   * The last stable offset: the end of what read_committed consumers may see. Without open
   * transactions it is the high watermark; the transaction coordinator lowers it to the first
   * offset of the oldest open transaction.
   */
  lastStableOffset(log: PartitionLog): number {
    return this.producers.lastStableOffset(log)
  }

  /**
   * The aborted transactions a read_committed fetch from `fetchOffset` that returned `records` must
   * report, so the consumer can drop their records.
   */
  abortedTransactions(log: PartitionLog, fetchOffset: number, records: Buffer): AbortedRange[] {
    return this.producers.abortedTransactions(log, fetchOffset, records)
  }
}
