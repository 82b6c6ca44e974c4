// @tributary/producer: a Kafka producer with partitioners, interceptors, batching, compression, idempotence and transactions.

export { Producer, type CloseOptions } from './producer.js'
export { producerOptionsSchema, parseProducerOptions, type ProducerOptions, type ResolvedProducerOptions } from './options.js'
export type { ProducerRecord, ProducerKey, ProducerValue, RecordMetadata, RecordHeaders, HeaderValue } from './record.js'
export type { ProducerInterceptor } from './interceptors.js'
export type { Serializer } from './serialization.js'
export type { PartitionerFunction, PartitionContext } from './partitioners/types.js'
export { SendBatchError } from './delivery.js'
export { FatalProducerError, AbortableTransactionError, ProducerStateError, DeliveryTimeoutError, ProducerTimeoutError, RecordTooLargeError } from './errors.js'
export type { ConsumerGroupMetadata, TransactionOffset } from './transactions/requests.js'
export type { TransactionState } from './transactions/transaction-manager.js'
