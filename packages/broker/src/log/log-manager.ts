import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { compressionReady } from '@tributary/protocol'
import { readPartitionTopicId, writePartitionMetadata } from './checkpoint.js'
import { lockDataDir } from './dir-lock.js'
import { logError, storageError } from './errors.js'
import { FileStorage } from './file-store.js'
import { defaultStorageLogger, type StorageLogger } from './logger.js'
import { MemoryStorage } from './memory-store.js'
import { METADATA_FILE, readMetadata, writeMetadata, type StoredMetadata, type StoredTopic } from './metadata-file.js'
import { PartitionLog, type RetentionResult } from './partition-log.js'
import type { LogStorage } from './storage.js'
import { applyConfigOps, type ConfigOp } from './config-ops.js'
import { describeTopicConfigs, resolveTopicConfig, validateTopicConfigs, type ConfigEntry, type TopicConfig } from './topic-config.js'
import { INTERNAL_TOPICS, collisionKey, validateTopicName } from './topic-name.js'

/** Kafka's clean-shutdown marker in the data directory. */
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown'

/** How to open a {@link LogManager}. */
export interface LogManagerOptions {
  /** `'file'` (default; needs `dataDir`), `'memory'`, or a {@link LogStorage} to share between restarts in tests. */
  storage?: 'file' | 'memory' | LogStorage
  /** The data directory (Kafka's `log.dirs`); for memory storage only a name. */
  dataDir?: string
  /** Broker-wide topic config defaults, by topic name (`retention.ms`) or broker name (`log.retention.ms`). */
  brokerConfigs?: Record<string, string>
  /** Partitions of a topic created with -1 partitions (Kafka's `num.partitions`). Default 1. */
  defaultPartitions?: number
  /** Upper bound on a topic's partitions, so one request cannot exhaust file handles. Default 10000. */
  maxPartitionsPerTopic?: number
  /** Milliseconds since the epoch. Default `Date.now`. */
  clock?: () => number
  logger?: StorageLogger
  /** Kafka's `log.retention.check.interval.ms`. Default 300000. 0 disables the timer. */
  retentionCheckIntervalMs?: number
  /** How often compacted topics are considered for cleaning (Kafka's `log.cleaner.backoff.ms`). Default 15000; 0 disables. */
  cleanerIntervalMs?: number
  /** How often `flush.ms` is checked. Default 1000; 0 disables. */
  flushCheckIntervalMs?: number
  /** Kafka's `log.flush.offset.checkpoint.interval.ms`. Default 60000; 0 disables. */
  checkpointIntervalMs?: number
  /**
   * `log.verify.segments.on.startup`: while loading, read every stored batch and check its CRC,
   * cutting a segment at its first corrupt batch with an error line. Default true.
   */
  verifySegments?: boolean
}

/** A topic as the broker knows it. */
export interface TopicInfo {
  name: string
  /** UUID string; `BigInt`-free, ready for the protocol's uuid fields. */
  topicId: string
  partitions: number
  /** Topic-level config overrides by Kafka name. */
  configs: Record<string, string>
  isInternal: boolean
}

/** Options of {@link LogManager.createTopic}. */
export interface CreateTopicOptions {
  /** -1 or undefined: the default partition count. */
  partitions?: number
  /** -1 or undefined: 1. Anything above 1 fails: there is one broker. */
  replicationFactor?: number
  configs?: Record<string, string>
  /** Check everything and create nothing (CreateTopics `validateOnly`). */
  validateOnly?: boolean
}

/**
 * Owns the data directory (or memory): every topic's partition logs, topic metadata and configs,
 * start-up loading and recovery, and the background retention, cleaning, flushing and
 * checkpointing timers. Handlers reach logs through {@link log}.
 *
 * @example
 * ```ts
 * const logs = await LogManager.open({ dataDir: './data' })
 * logs.createTopic('orders', { partitions: 3 })
 * logs.log('orders', 0).append(batch)
 * await logs.close()
 * ```
 */
export class LogManager {
  readonly storage: LogStorage
  readonly dataDir: string
  /** Whether the previous run shut down cleanly (or there was none), so no log needed recovery. */
  readonly hadCleanShutdown: boolean
  private readonly logger: StorageLogger
  private readonly clock: () => number
  private readonly defaultPartitions: number
  private readonly maxPartitions: number
  private readonly staticBrokerConfigs: Record<string, string>
  private readonly verifySegments: boolean
  private metadata: StoredMetadata
  private readonly logs = new Map<string, PartitionLog[]>()
  private readonly timers: NodeJS.Timeout[] = []
  private releaseLock: () => void = () => {}
  private closed = false

  private constructor(o: LogManagerOptions) {
    this.storage = o.storage === 'memory' ? new MemoryStorage() : typeof o.storage === 'object' ? o.storage : new FileStorage()
    if (this.storage.kind === 'file' && !o.dataDir) throw logError('INVALID_REQUEST', 'File storage needs a dataDir')
    this.dataDir = o.dataDir ?? '/tributary'
    this.logger = o.logger ?? defaultStorageLogger
    this.clock = o.clock ?? Date.now
    this.defaultPartitions = o.defaultPartitions ?? 1
    this.maxPartitions = o.maxPartitionsPerTopic ?? 10_000
    this.verifySegments = o.verifySegments ?? true
    this.staticBrokerConfigs = validateTopicConfigs(o.brokerConfigs ?? {}, true)
    this.storage.mkdirs(this.dataDir)
    if (this.storage.kind === 'file') this.releaseLock = lockDataDir(this.dataDir)
    try {
      const marker = join(this.dataDir, CLEAN_SHUTDOWN_FILE)
      // A directory without metadata has had no previous run to recover from.
      this.hadCleanShutdown = this.storage.exists(marker) || !this.storage.exists(join(this.dataDir, METADATA_FILE))
      this.metadata = readMetadata(this.storage, this.dataDir)
      this.loadLogs()
      this.storage.remove(marker)
    } catch (err) {
      for (const logs of this.logs.values()) for (const log of logs) log.close()
      this.releaseLock()
      throw err
    }
    this.startTimers(o)
  }

  /**
   * Opens the data directory: loads every topic, recovers logs after an unclean shutdown, and
   * starts the background timers (unref'd, so they never keep the process alive).
   */
  static async open(options: LogManagerOptions = {}): Promise<LogManager> {
    try {
      await compressionReady()
    } catch (err) {
      ;(options.logger ?? defaultStorageLogger).warn(`zstd is unavailable, so zstd batches of compacted topics cannot be inspected: ${(err as Error).message}`)
    }
    return new LogManager(options)
  }

  /** All topics, sorted by name. */
  topics(): TopicInfo[] {
    return this.metadata.topics.map(toInfo).sort((a, b) => a.name.localeCompare(b.name))
  }

  /** One topic, or undefined. */
  topic(name: string): TopicInfo | undefined {
    const t = this.metadata.topics.find((x) => x.name === name)
    return t && toInfo(t)
  }

  /** The topic with this id (Fetch v13+ and Metadata by id), or undefined. */
  topicById(topicId: string): TopicInfo | undefined {
    const t = this.metadata.topics.find((x) => x.topicId === topicId)
    return t && toInfo(t)
  }

  /** The partition's log, or undefined when the topic or partition does not exist. */
  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(topic)?.[partition]
  }

  /**
   * The partition's log.
   *
   * @throws KafkaError `UNKNOWN_TOPIC_OR_PARTITION`.
   */
  log(topic: string, partition: number): PartitionLog {
    const log = this.getLog(topic, partition)
    if (!log) throw logError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host ${topic}-${partition}`)
    return log
  }

  /** Every open partition log. */
  allLogs(): PartitionLog[] {
    return [...this.logs.values()].flat()
  }

  /**
   * Creates a topic with its partitions and configs and persists it.
   *
   * @throws KafkaError `INVALID_TOPIC_EXCEPTION` (bad name, or a '.'/'_' collision),
   * `TOPIC_ALREADY_EXISTS`, `INVALID_PARTITIONS`, `INVALID_REPLICATION_FACTOR`, `INVALID_CONFIG`,
   * `KAFKA_STORAGE_ERROR`.
   */
  createTopic(name: string, options: CreateTopicOptions = {}): TopicInfo {
    this.ensureOpen()
    validateTopicName(name)
    if (this.topic(name)) throw logError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`)
    const clash = this.metadata.topics.find((t) => collisionKey(t.name) === collisionKey(name))
    if (clash) throw logError('INVALID_TOPIC_EXCEPTION', `Topic '${name}' collides with existing topic: ${clash.name}`)
    const partitions = options.partitions === undefined || options.partitions === -1 ? this.defaultPartitions : options.partitions
    this.checkPartitionCount(partitions)
    const rf = options.replicationFactor ?? -1
    if (rf !== -1 && rf !== 1) {
      throw logError('INVALID_REPLICATION_FACTOR', rf > 1 ? `Replication factor: ${rf} larger than available brokers: 1.` : 'Replication factor must be larger than 0.')
    }
    const configs = validateTopicConfigs(options.configs ?? {})
    const stored: StoredTopic = { name, topicId: randomUUID(), partitions, configs }
    if (options.validateOnly) return toInfo(stored)
    const logs: PartitionLog[] = []
    try {
      for (let p = 0; p < partitions; p++) logs.push(this.createPartitionLog(stored, p))
      this.persist({ ...this.metadata, topics: [...this.metadata.topics, stored] })
    } catch (err) {
      for (const log of logs) log.delete()
      throw storageError(`Creating topic ${name}`, err)
    }
    this.logs.set(name, logs)
    return toInfo(stored)
  }

  /**
   * Deletes a topic and all its data. Waiting fetches wake up (their logs report closed).
   *
   * @throws KafkaError `UNKNOWN_TOPIC_OR_PARTITION`.
   */
  deleteTopic(name: string): TopicInfo {
    this.ensureOpen()
    const stored = this.requireTopic(name)
    const logs = this.logs.get(name) ?? []
    const doomed: string[] = []
    for (const log of logs) {
      log.detach()
      const target = `${log.dir}.${stored.topicId.replace(/-/g, '')}-delete`
      try {
        this.storage.rename(log.dir, target)
        doomed.push(target)
      } catch (err) {
        this.logger.warn(`deleting ${log.dir}: renaming it failed (${(err as Error).message}); removing it in place`)
        doomed.push(log.dir)
      }
    }
    this.logs.delete(name)
    this.persist({ ...this.metadata, topics: this.metadata.topics.filter((t) => t.name !== name) })
    for (const dir of doomed) this.removeQuietly(dir)
    return toInfo(stored)
  }

  /**
   * CreatePartitions: raises the topic's partition count to `totalCount`.
   *
   * @throws KafkaError `UNKNOWN_TOPIC_OR_PARTITION`, `INVALID_PARTITIONS` (not an increase).
   */
  createPartitions(name: string, totalCount: number, options: { validateOnly?: boolean } = {}): TopicInfo {
    this.ensureOpen()
    const stored = this.requireTopic(name)
    if (!Number.isInteger(totalCount) || totalCount <= stored.partitions) {
      throw logError(
        'INVALID_PARTITIONS',
        totalCount === stored.partitions
          ? `Topic already has ${stored.partitions} partitions.`
          : `Topic currently has ${stored.partitions} partitions, which is higher than the requested ${totalCount}.`,
      )
    }
    this.checkPartitionCount(totalCount)
    const updated = { ...stored, partitions: totalCount }
    if (options.validateOnly) return toInfo(updated)
    const logs = this.logs.get(name)!
    const added: PartitionLog[] = []
    try {
      for (let p = stored.partitions; p < totalCount; p++) added.push(this.createPartitionLog(stored, p))
      this.persist({ ...this.metadata, topics: this.metadata.topics.map((t) => (t.name === name ? updated : t)) })
    } catch (err) {
      for (const log of added) log.delete()
      throw storageError(`Adding partitions to ${name}`, err)
    }
    logs.push(...added)
    return toInfo(updated)
  }

  /** The typed, effective configs of a topic. */
  topicConfig(name: string): TopicConfig {
    return resolveTopicConfig(this.requireTopic(name).configs, this.brokerDefaults())
  }

  /** Every config of a topic with value and source, for DescribeConfigs. */
  describeTopicConfigs(name: string): ConfigEntry[] {
    return describeTopicConfigs(this.requireTopic(name).configs, this.brokerDefaults())
  }

  /**
   * Changes a topic's configs: AlterConfigs (`replace: true`, the given set replaces all overrides)
   * or IncrementalAlterConfigs (`replace: false`, ops apply one by one). Validates everything
   * before changing anything; applies to the open logs at once.
   *
   * @throws KafkaError `UNKNOWN_TOPIC_OR_PARTITION`, `INVALID_CONFIG`, `INVALID_REQUEST`.
   */
  alterTopicConfigs(name: string, ops: readonly ConfigOp[], options: { replace?: boolean; validateOnly?: boolean } = {}): TopicInfo {
    this.ensureOpen()
    const stored = this.requireTopic(name)
    const configs = validateTopicConfigs(applyConfigOps(options.replace ? {} : stored.configs, ops))
    const config = resolveTopicConfig(configs, this.brokerDefaults())
    const updated = { ...stored, configs }
    if (options.validateOnly) return toInfo(updated)
    this.persist({ ...this.metadata, topics: this.metadata.topics.map((t) => (t.name === name ? updated : t)) })
    for (const log of this.logs.get(name) ?? []) log.updateConfig(config)
    return toInfo(updated)
  }

  /**
   * The broker-level topic defaults in effect (static options, then runtime changes), by topic
   * config name; each config's `brokerSynonym` gives its broker name for DescribeConfigs.
   */
  brokerDefaults(): Record<string, string> {
    return { ...this.staticBrokerConfigs, ...this.metadata.brokerConfigs }
  }

  /**
   * Changes broker-level topic defaults at runtime (AlterConfigs on the broker resource; topic or
   * broker names). Persisted; every topic without its own override follows at once.
   */
  alterBrokerDefaults(ops: readonly ConfigOp[], options: { validateOnly?: boolean } = {}): Record<string, string> {
    this.ensureOpen()
    const changed = validateTopicConfigs(applyConfigOps(this.metadata.brokerConfigs, ops, true), true)
    const defaults = { ...this.staticBrokerConfigs, ...changed }
    const resolved = this.metadata.topics.map((t) => [t.name, resolveTopicConfig(t.configs, defaults)] as const)
    if (options.validateOnly) return defaults
    this.persist({ ...this.metadata, brokerConfigs: changed })
    for (const [name, config] of resolved) for (const log of this.logs.get(name) ?? []) log.updateConfig(config)
    return defaults
  }

  /** Runs retention on every log now (the timer does this every `retentionCheckIntervalMs`). */
  runRetention(): Map<string, RetentionResult> {
    const results = new Map<string, RetentionResult>()
    for (const log of this.allLogs()) results.set(log.name, log.applyRetention())
    return results
  }

  /** Runs the cleaner on every compacted log now; `force` ignores the dirty ratio. */
  runCleaner(force = false): void {
    for (const log of this.allLogs()) if (log.config.cleanupPolicy.compact) log.compact({ force })
  }

  /** fsyncs every log. */
  flushAll(): void {
    for (const log of this.allLogs()) log.flush()
  }

  /**
   * Stops the timers, flushes and closes every log, and writes the clean-shutdown marker so the
   * next start skips recovery.
   */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const t of this.timers) clearInterval(t)
    let clean = true
    for (const log of this.allLogs()) {
      try {
        log.close()
      } catch (err) {
        clean = false
        this.logger.error(`closing ${log.name} failed`, err)
      }
    }
    if (clean) {
      try {
        this.storage.writeAtomic(join(this.dataDir, CLEAN_SHUTDOWN_FILE), Buffer.from('{"version":0}\n'))
      } catch (err) {
        this.logger.error('writing the clean-shutdown marker failed; the next start will recover', err)
      }
    }
    this.releaseLock()
  }

  private loadLogs(): void {
    const known = new Map<string, StoredTopic>()
    for (const t of this.metadata.topics) for (let p = 0; p < t.partitions; p++) known.set(`${t.name}-${p}`, t)
    for (const entry of this.storage.list(this.dataDir)) {
      const path = join(this.dataDir, entry)
      if (!this.storage.isDirectory(path)) continue
      if (entry.endsWith('-delete')) {
        this.removeQuietly(path)
        continue
      }
      // Only `<topic>-<partition>` directories are ours; anything else (lost+found, ...) is left alone.
      if (entry.endsWith('-stray') || !/^[a-zA-Z0-9._-]+-\d+$/.test(entry)) continue
      const owner = known.get(entry)
      if (!owner || readPartitionTopicId(this.storage, path) !== owner.topicId) {
        const stray = `${path}.${randomUUID().replace(/-/g, '')}-stray`
        this.logger.warn(`${path} belongs to no known topic; moved aside to ${stray}`)
        this.storage.rename(path, stray)
      }
    }
    for (const t of this.metadata.topics) {
      const logs: PartitionLog[] = []
      for (let p = 0; p < t.partitions; p++) {
        const dir = join(this.dataDir, `${t.name}-${p}`)
        if (!this.storage.exists(dir)) this.logger.warn(`${dir} is missing; starting ${t.name}-${p} empty`)
        logs.push(this.openLog(t, p, this.hadCleanShutdown, this.verifySegments))
      }
      this.logs.set(t.name, logs)
    }
  }

  private createPartitionLog(t: StoredTopic, partition: number): PartitionLog {
    const dir = join(this.dataDir, `${t.name}-${partition}`)
    if (this.storage.exists(dir)) this.storage.rename(dir, `${dir}.${randomUUID().replace(/-/g, '')}-stray`)
    try {
      return this.openLog(t, partition, true)
    } catch (err) {
      // A partition that could not be created (the disk is full) leaves no directory behind.
      this.removeQuietly(dir)
      throw err
    }
  }

  private openLog(t: StoredTopic, partition: number, cleanShutdown: boolean, verifySegments = false): PartitionLog {
    const dir = join(this.dataDir, `${t.name}-${partition}`)
    const log = PartitionLog.open({
      storage: this.storage,
      dir,
      topic: t.name,
      partition,
      config: resolveTopicConfig(t.configs, this.brokerDefaults()),
      cleanShutdown,
      clock: this.clock,
      logger: this.logger,
      verifySegments,
    })
    try {
      if (readPartitionTopicId(this.storage, dir) !== t.topicId) writePartitionMetadata(this.storage, dir, t.topicId)
    } catch (err) {
      log.detach()
      throw err
    }
    return log
  }

  private startTimers(o: LogManagerOptions): void {
    const every = (ms: number | undefined, fallback: number, what: string, task: (log: PartitionLog) => void) => {
      const interval = ms ?? fallback
      if (interval <= 0) return
      const timer = setInterval(() => {
        for (const log of this.allLogs()) {
          if (log.isClosed) continue
          try {
            task(log)
          } catch (err) {
            this.logger.error(`${what} of ${log.name} failed`, err)
          }
        }
      }, interval)
      timer.unref()
      this.timers.push(timer)
    }
    every(o.retentionCheckIntervalMs, 300_000, 'retention', (log) => log.applyRetention())
    every(o.cleanerIntervalMs, 15_000, 'cleaning', (log) => void (log.config.cleanupPolicy.compact && log.compact()))
    every(o.flushCheckIntervalMs, 1_000, 'flushing', (log) => log.flushIfDue())
    every(o.checkpointIntervalMs, 60_000, 'checkpointing', (log) => log.checkpointIfChanged())
  }

  private checkPartitionCount(n: number): void {
    if (!Number.isInteger(n) || n <= 0) throw logError('INVALID_PARTITIONS', `Number of partitions must be larger than 0, got ${n}.`)
    if (n > this.maxPartitions) throw logError('INVALID_PARTITIONS', `Number of partitions ${n} exceeds this broker's limit of ${this.maxPartitions}.`)
  }

  private requireTopic(name: string): StoredTopic {
    const t = this.metadata.topics.find((x) => x.name === name)
    if (!t) throw logError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host topic '${name}'`)
    return t
  }

  private persist(metadata: StoredMetadata): void {
    writeMetadata(this.storage, this.dataDir, metadata)
    this.metadata = metadata
  }

  private removeQuietly(dir: string): void {
    try {
      this.storage.removeDir(dir)
    } catch (err) {
      this.logger.warn(`removing ${dir} failed: ${(err as Error).message}`)
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw logError('KAFKA_STORAGE_ERROR', 'The log manager is closed')
  }
}

function toInfo(t: StoredTopic): TopicInfo {
  return { name: t.name, topicId: t.topicId, partitions: t.partitions, configs: { ...t.configs }, isInternal: INTERNAL_TOPICS.has(t.name) }
}
