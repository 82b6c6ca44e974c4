/** Storage: the persistent segmented log, topic metadata and configs. */
export { LogManager, CLEAN_SHUTDOWN_FILE, type LogManagerOptions, type TopicInfo, type CreateTopicOptions } from './log/log-manager.js'
export { PartitionLog, type PartitionLogOptions, type AppendOptions, type ReadOptions, type ReadResult, type RetentionResult } from './log/partition-log.js'
export type { AppendResult, AppendCheck, AppendObserver, AppendedBatch, PendingBatch } from './log/append-hooks.js'
export { validateBatches, type AppendOrigin, type ValidatedBatch } from './log/append-validation.js'
export type { CleanResult } from './log/cleaner.js'
export type { OffsetAndTimestamp } from './log/timestamp-search.js'
export type { RetentionReason } from './log/retention.js'
export {
  TOPIC_CONFIG_DEFINITIONS,
  validateTopicConfigs,
  resolveTopicConfig,
  describeTopicConfigs,
  type TopicConfig,
  type TopicConfigDefinition,
  type ConfigEntry,
} from './log/topic-config.js'
export { applyConfigOps, type ConfigOp } from './log/config-ops.js'
export { validateTopicName, INTERNAL_TOPICS, MAX_TOPIC_NAME_LENGTH } from './log/topic-name.js'
export { FileStorage } from './log/file-store.js'
export { MemoryStorage } from './log/memory-store.js'
export type { LogStorage, StoredFile } from './log/storage.js'
export { defaultStorageLogger, type StorageLogger } from './log/logger.js'
export { LogError, type LogErrorCode } from './log/errors.js'
