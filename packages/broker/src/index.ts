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

/** The broker: start it, point Kafka clients at it, inject faults in tests. */
export { startBroker, type Broker } from './broker.js'
export { BROKER_SETTINGS, type BrokerOptions, type BrokerSetting } from './options.js'
export { defaultBrokerLogger, silentBrokerLogger, type BrokerLogger } from './logger.js'
export type { RequestInterceptor, InterceptedRequest, InterceptAction } from './server/interceptors.js'

/** Security: listeners, TLS, SASL, SCRAM credentials and ACLs. */
export type { SecurityOptions, BrokerSaslOptions } from './security/options.js'
export type { BrokerTlsOptions } from './security/tls-config.js'
export type { ListenerInfo } from './server/listeners.js'
export { SECURITY_PROTOCOLS, type SecurityProtocol } from './server/listener-config.js'
export { SASL_MECHANISMS, type SaslMechanismName } from './security/sasl/mechanism.js'
export {
  SCRAM_MECHANISMS,
  MIN_ITERATIONS as SCRAM_MIN_ITERATIONS,
  MAX_ITERATIONS as SCRAM_MAX_ITERATIONS,
  saltPassword,
  type ScramMechanismName,
} from './security/scram/credential.js'
export { ACL_FILE } from './security/acl-store.js'
export { SCRAM_CREDENTIALS_FILE } from './security/scram/credential-store.js'
export {
  ResourceType as AclResourceType,
  PatternType as AclPatternType,
  AclOperation,
  PermissionType as AclPermissionType,
  CLUSTER_RESOURCE_NAME,
  parseResourceType,
  parsePatternType,
  parseOperation,
  parsePermission,
  resourceTypeName,
  patternTypeName,
  operationName,
  permissionName,
  describeBinding,
  type AclBinding,
  type AclFilter,
} from './security/acl-types.js'

/** The group coordinator: consumer groups and committed offsets in `__consumer_offsets`. */
export { GroupCoordinator, type GroupCoordinatorOptions, type TransactionalOffsetTopic } from './groups/coordinator.js'
export { DEFAULT_GROUP_CONFIG, groupConfigFromSettings, type GroupCoordinatorConfig } from './groups/config.js'
export { OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC, INTERNAL_TOPIC_CONFIGS, ensureInternalTopic } from './groups/internal-topics.js'
export { javaStringHashCode, partitionForKey } from './groups/java-string-hash.js'
export type { GroupState } from './groups/group.js'
export type { JoinGroupParams } from './groups/join.js'
export type { JoinResult, SyncResult, MemberProtocol, JoinResponseMember } from './groups/member.js'
export type { SyncGroupParams, HeartbeatParams, LeavingMember, LeaveGroupResult } from './groups/membership.js'
export type { OffsetCommitParams, CommitPartition, PartitionErrors, OffsetFetchResult, FetchedOffset, OffsetDeleteResult } from './groups/offset-requests.js'
export type { GroupDescription, DescribedMember, GroupListing } from './groups/admin.js'

/** Idempotent producers and transactions: per-partition producer state and the transaction coordinator. */
export { ProducerStateManager, DEFAULT_PRODUCER_STATE_CONFIG, type ProducerStateConfig, type MarkerToWrite } from './producers/manager.js'
export type { ProducerEntry, BatchMetadata } from './producers/producer-entry.js'
export type { AbortedTxn, AbortedRange } from './producers/aborted-index.js'
export { TransactionCoordinator, type TransactionCoordinatorOptions } from './transactions/coordinator.js'
export { DEFAULT_TRANSACTION_CONFIG, transactionConfigFromSettings, producerStateConfigFromSettings, type TransactionConfig } from './transactions/config.js'
export type { TransactionState, TransactionMetadata, TopicPartition } from './transactions/metadata.js'
export type { GroupOffsetsPort, TxnResult } from './transactions/runtime.js'
export type { TransactionDescription, TransactionListing, ListTransactionsFilter } from './transactions/admin.js'
export type { InitProducerIdParams, InitProducerIdResult } from './transactions/init-producer-id.js'
export type { PartitionResult as TxnPartitionResult, TxnProducer } from './transactions/partitions.js'

/** The served APIs: ApiVersions answers from this registry. */
export { BROKER_HANDLERS, HandlerRegistry, type ApiVersionRange } from './handlers/index.js'
