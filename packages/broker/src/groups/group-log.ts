import { encodeRecordBatch } from '@tributary/protocol'
import type { LogManager, TopicInfo } from '../log/log-manager.js'
import type { BrokerLogger } from '../logger.js'
import type { GroupCoordinatorConfig } from './config.js'
import { OFFSETS_TOPIC, ensureInternalTopic } from './internal-topics.js'
import { partitionForKey } from './java-string-hash.js'

/** One record to write: a key from `records.ts` and its value, or null to delete the key. */
export interface GroupLogRecord {
  key: Buffer
  value: Buffer | null
}

/**
 * Writes the group coordinator's records to `__consumer_offsets`: every record of a group goes to
 * the group's partition (Kafka's hash of the group id), one batch per call, so that what one
 * request changes lands atomically. The topic is created on first use.
 */
export class GroupLog {
  constructor(
    private readonly logs: LogManager,
    private readonly config: GroupCoordinatorConfig,
    private readonly logger: BrokerLogger,
    private readonly clock: () => number,
  ) {}

  /** The partition count: the topic's own when it exists, else the one it will be created with. */
  get partitionCount(): number {
    return this.logs.topic(OFFSETS_TOPIC)?.partitions ?? this.config.offsetsTopicPartitions
  }

  /** The `__consumer_offsets` partition that holds `groupId`'s records. */
  partitionFor(groupId: string): number {
    return partitionForKey(groupId, this.partitionCount)
  }

  /**
   * Creates `__consumer_offsets` when it does not exist yet.
   *
   * @throws KafkaError when the topic cannot be created.
   */
  ensureTopic(): TopicInfo {
    return ensureInternalTopic(this.logs, OFFSETS_TOPIC, this.config.offsetsTopicPartitions, this.logger)
  }

  /**
   * Appends `records` for `groupId` as one batch; when it returns, they are in the log (as durable
   * as any append).
   *
   * @throws KafkaError from the log: `MESSAGE_TOO_LARGE` (batch above `max.message.bytes`),
   * `KAFKA_STORAGE_ERROR`, `UNKNOWN_TOPIC_OR_PARTITION` (the log is closed).
   */
  append(groupId: string, records: readonly GroupLogRecord[]): void {
    if (records.length === 0) return
    this.ensureTopic()
    const log = this.logs.log(OFFSETS_TOPIC, this.partitionFor(groupId))
    const timestamp = this.clock()
    log.append(encodeRecordBatch({ records: records.map((r) => ({ key: r.key, value: r.value, timestamp })) }), { origin: 'coordinator' })
  }
}
