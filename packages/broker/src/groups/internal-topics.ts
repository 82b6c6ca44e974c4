import type { LogManager, TopicInfo } from '../log/log-manager.js'
import type { BrokerLogger } from '../logger.js'

/** Where the group coordinator keeps committed offsets and group metadata. */
export const OFFSETS_TOPIC = '__consumer_offsets'

/** Where the transaction coordinator keeps transaction state. */
export const TRANSACTION_STATE_TOPIC = '__transaction_state'

/**
 * The topic configs Kafka gives its internal topics: compacted, so that only the latest record per
 * key (one group's metadata, one partition's committed offset, one transaction's state) is kept,
 * with 100 MiB segments.
 */
export const INTERNAL_TOPIC_CONFIGS: Readonly<Record<string, string>> = Object.freeze({
  'cleanup.policy': 'compact',
  'segment.bytes': '104857600',
})

/**
 * Creates an internal topic on first use (`__consumer_offsets`, `__transaction_state`) with
 * `partitions` partitions and {@link INTERNAL_TOPIC_CONFIGS}, or returns it when it exists. As in
 * Kafka, an existing topic keeps its partition count: changing it would move every group or
 * transaction to another partition.
 *
 * @throws KafkaError from {@link LogManager.createTopic} (`KAFKA_STORAGE_ERROR` when the disk fails).
 * @example
 * ```ts
 * ensureInternalTopic(broker.logs, TRANSACTION_STATE_TOPIC, 50, logger)
 * ```
 */
export function ensureInternalTopic(logs: LogManager, name: string, partitions: number, logger: BrokerLogger): TopicInfo {
  const existing = logs.topic(name)
  if (existing) return existing
  const topic = logs.createTopic(name, { partitions, configs: { ...INTERNAL_TOPIC_CONFIGS } })
  logger.info(`created internal topic ${name} with ${partitions} partition(s), cleanup.policy=compact`)
  return topic
}
