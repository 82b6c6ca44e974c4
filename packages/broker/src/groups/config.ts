import { KafkaError } from '@tributary/protocol'

/**
 * The group coordinator's settings, under Kafka's broker config names (given through
 * `BrokerOptions.configs`), with Kafka's defaults.
 */
export interface GroupCoordinatorConfig {
  /** `group.initial.rebalance.delay.ms`: how long the first rebalance of an empty group waits for more members. */
  initialRebalanceDelayMs: number
  /** `group.min.session.timeout.ms`: a JoinGroup asking for less answers INVALID_SESSION_TIMEOUT. */
  minSessionTimeoutMs: number
  /** `group.max.session.timeout.ms`: a JoinGroup asking for more answers INVALID_SESSION_TIMEOUT. */
  maxSessionTimeoutMs: number
  /** `group.max.size`: joins beyond it answer GROUP_MAX_SIZE_REACHED. */
  maxSize: number
  /** `offsets.topic.num.partitions`: partitions of `__consumer_offsets` when this broker creates it. */
  offsetsTopicPartitions: number
  /** `offsets.retention.minutes`, in milliseconds: how long offsets of an empty group are kept. */
  offsetsRetentionMs: number
  /** `offsets.retention.check.interval.ms`: how often expired offsets are removed; 0 turns the check off. */
  offsetsRetentionCheckIntervalMs: number
  /** `offset.metadata.max.bytes`: a longer commit metadata string answers OFFSET_METADATA_TOO_LARGE. */
  offsetMetadataMaxBytes: number
  /** `transaction.state.log.num.partitions`: partitions of `__transaction_state` when this broker creates it. */
  transactionStatePartitions: number
}

/** Kafka's defaults. */
export const DEFAULT_GROUP_CONFIG: Readonly<GroupCoordinatorConfig> = Object.freeze({
  initialRebalanceDelayMs: 3_000,
  minSessionTimeoutMs: 6_000,
  maxSessionTimeoutMs: 1_800_000,
  maxSize: 2_147_483_647,
  offsetsTopicPartitions: 50,
  offsetsRetentionMs: 10_080 * 60_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4_096,
  transactionStatePartitions: 50,
})

const INT_MAX = 2 ** 31 - 1

/**
 * Reads the group settings from the broker's resolved settings (name → value strings).
 *
 * @throws KafkaError `INVALID_CONFIG` naming the setting, the value and what is allowed.
 * @example
 * ```ts
 * const config = groupConfigFromSettings(new Map([['group.initial.rebalance.delay.ms', { value: '0' }]]))
 * config.initialRebalanceDelayMs // 0
 * ```
 */
export function groupConfigFromSettings(settings: ReadonlyMap<string, { value: string }>): GroupCoordinatorConfig {
  const read = (name: string, fallback: number, min: number, max: number): number => {
    const raw = settings.get(name)?.value
    if (raw === undefined || raw === '') return fallback
    const n = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new KafkaError(`Invalid broker option configs['${name}']: ${JSON.stringify(raw)}; expected an integer from ${min} to ${max}`, { code: 'INVALID_CONFIG' })
    }
    return n
  }
  const d = DEFAULT_GROUP_CONFIG
  const config: GroupCoordinatorConfig = {
    initialRebalanceDelayMs: read('group.initial.rebalance.delay.ms', d.initialRebalanceDelayMs, 0, INT_MAX),
    minSessionTimeoutMs: read('group.min.session.timeout.ms', d.minSessionTimeoutMs, 0, INT_MAX),
    maxSessionTimeoutMs: read('group.max.session.timeout.ms', d.maxSessionTimeoutMs, 0, INT_MAX),
    maxSize: read('group.max.size', d.maxSize, 1, INT_MAX),
    offsetsTopicPartitions: read('offsets.topic.num.partitions', d.offsetsTopicPartitions, 1, 10_000),
    offsetsRetentionMs: read('offsets.retention.minutes', d.offsetsRetentionMs / 60_000, 1, INT_MAX) * 60_000,
    offsetsRetentionCheckIntervalMs: read('offsets.retention.check.interval.ms', d.offsetsRetentionCheckIntervalMs, 0, INT_MAX),
    offsetMetadataMaxBytes: read('offset.metadata.max.bytes', d.offsetMetadataMaxBytes, 0, INT_MAX),
    transactionStatePartitions: read('transaction.state.log.num.partitions', d.transactionStatePartitions, 1, 10_000),
  }
  if (config.minSessionTimeoutMs > config.maxSessionTimeoutMs) {
    throw new KafkaError(
      `Invalid broker options: group.min.session.timeout.ms (${config.minSessionTimeoutMs}) is above group.max.session.timeout.ms (${config.maxSessionTimeoutMs})`,
      { code: 'INVALID_CONFIG' },
    )
  }
  return config
}
