// @tributary/client: connections, version negotiation, cluster metadata, retries, the admin client and serdes.

export { Admin, adminOptionsSchema, type AdminOptions } from './admin/admin.js'
export type { AdminCallOptions } from './admin/settle.js'
export type { NewTopic, CreatedTopic, CreateTopicsOptions, TopicDescription, PartitionDescription, NewPartitions } from './admin/topics.js'
export type {
  ConfigResource,
  ConfigResourceType,
  ConfigResourceDescription,
  ConfigEntry,
  ConfigSource,
  ConfigAlteration,
  ConfigOp,
} from './admin/configs.js'
export type { OffsetSpec, ListOffsetsQuery, ListOffsetsOptions, ListedOffset, RecordsToDelete, DeletedRecords } from './admin/offsets.js'
export type { ListedGroup, GroupDescription, GroupMember } from './admin/groups.js'
export type { GroupOffset, GroupLag, GroupOffsetsOptions } from './admin/group-offsets.js'

export { Cluster, partitionOf, type ClusterOptions } from './cluster/cluster.js'
export type { BrokerNode, ClusterMetadata, TopicMetadata, PartitionMetadata } from './cluster/metadata.js'
export type { CoordinatorType } from './cluster/coordinators.js'
export { parseBrokerAddress, formatBrokerAddress, type BrokerAddress } from './cluster/address.js'

export {
  Connection,
  type ConnectionOptions,
  type ConnectionState,
  type RequestOptions,
  type RequestBody,
} from './connection/connection.js'
export { ConnectionPool, type ConnectionPoolOptions, type GetConnectionOptions } from './connection/pool.js'
export { ApiVersionTable, type ApiIdentity, type VersionRange } from './connection/versions.js'
export type { SaslMechanism } from './connection/sasl/mechanism.js'
export { ScramMechanism, type ScramHash } from './connection/sasl/scram.js'
export { PlainMechanism } from './connection/sasl/plain.js'

export { retry, type RetryOptions } from './retry/retry.js'
export { backoffDelay, type BackoffOptions } from './retry/backoff.js'
export { sleep } from './retry/sleep.js'

export {
  clientOptionsSchema,
  tlsOptionsSchema,
  saslOptionsSchema,
  type ClientOptions,
  type ResolvedClientOptions,
  type TlsOptions,
  type SaslOptions,
  type SaslMechanismName,
} from './options/client-options.js'
export { parseOptions, formatOptionIssues } from './options/parse-options.js'
export { createConsoleLogger, silentLogger, type Logger, type LogLevel, type LogFields } from './options/logger.js'

export {
  ConnectionError,
  RequestTimeoutError,
  UnsupportedVersionError,
  SaslAuthenticationError,
  OptionsError,
  ClientClosedError,
  AbortError,
} from './errors/client-errors.js'
export { KafkaAggregateError, toKafkaError } from './errors/aggregate-error.js'

export { SerdeError, formatPath, type Serde, type SerializeContext, type DeserializeContext, type SerdeIssue } from './serdes/serde.js'
export { stringSerde } from './serdes/string-serde.js'
export { jsonSerde } from './serdes/json-serde.js'
export { msgpackSerde } from './serdes/msgpack-serde.js'
export { zodSerde } from './serdes/zod-serde.js'

export { CLIENT_SOFTWARE_NAME, CLIENT_SOFTWARE_VERSION } from './version.js'
