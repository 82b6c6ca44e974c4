import { KafkaError } from '@tributary/protocol'

/**
 * The producer can no longer be used: it was fenced by a newer instance with the same
 * `transactionalId` (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH), is not authorized
 * (TRANSACTIONAL_ID_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED), or hit another error it
 * cannot recover from. `code` is the code of the error that caused it, `cause` that error. Every
 * later call rejects with this same error; close the producer and create a new one.
 *
 * @example
 * ```ts
 * try { await producer.commitTransaction() } catch (err) {
 *   if (err instanceof FatalProducerError) { await producer.close(); producer = new Producer(options) }
 *   else await producer.abortTransaction()
 * }
 * ```
 */
export class FatalProducerError extends KafkaError {
  /** Always true: the producer is unusable. */
  readonly fatal = true

  constructor(message: string, cause: KafkaError) {
    super(`${message}: ${cause.message}. The producer cannot be used any more; close it and create a new one.`, { code: cause.code, cause })
  }
}

/**
 * The current transaction cannot be committed because part of it failed (a send failed, an offset
 * commit was rejected, the coordinator aborted it): call `abortTransaction()`, after which the producer
 * is usable again. `code` is the code of the underlying error, `cause` that error.
 *
 * @example
 * ```ts
 * try { await producer.commitTransaction() } catch (err) {
 *   if (err instanceof AbortableTransactionError) await producer.abortTransaction()
 * }
 * ```
 */
export class AbortableTransactionError extends KafkaError {
  /** Always true: abort the transaction to continue. */
  readonly abortable = true

  constructor(message: string, cause: KafkaError) {
    super(`${message}: ${cause.message}. Call abortTransaction() to continue.`, { code: cause.code, cause })
  }
}

/**
 * A call was made in a state that does not allow it: `send` on a transactional producer outside a
 * transaction, `commitTransaction` with none open, `beginTransaction` before `initTransactions`, any call
 * after `close`. Code `ILLEGAL_STATE`; not retriable.
 *
 * @example
 * ```ts
 * await producer.send(record) // ProducerStateError: Cannot send: this producer is transactional and no transaction is open; call beginTransaction() first
 * ```
 */
export class ProducerStateError extends KafkaError {
  constructor(message: string) {
    super(message, { code: 'ILLEGAL_STATE' })
  }
}

/**
 * A record was not acknowledged within `deliveryTimeoutMs` of being accepted by `send` (retries
 * included). Code `DELIVERY_TIMEOUT`, retriable; `cause` is the last error seen while trying, if any.
 * The record may still have been written when the timeout struck while a request was in flight.
 *
 * @example
 * ```ts
 * await producer.send(record).catch((err) => {
 *   if (err instanceof DeliveryTimeoutError) log.warn(`gave up after ${options.deliveryTimeoutMs} ms`, { last: err.cause })
 * })
 * ```
 */
export class DeliveryTimeoutError extends KafkaError {
  constructor(what: string, timeoutMs: number, cause?: unknown) {
    const last = cause instanceof Error ? `; last error: ${cause.message}` : ''
    super(`${what} expired: not acknowledged within ${timeoutMs} ms (deliveryTimeoutMs)${last}`, { code: 'DELIVERY_TIMEOUT', retriable: true, cause })
  }
}

/**
 * `send` waited `maxBlockMs` for room in the `bufferMemory` (records accepted but not yet acknowledged
 * take it) or for the topic's metadata, and gave up. Code `BUFFER_EXHAUSTED` or `METADATA_TIMEOUT`;
 * retriable: the producer is fine, it was too busy or the topic is not available.
 *
 * @example
 * ```ts
 * await producer.send(record).catch((err) => {
 *   if (err instanceof ProducerTimeoutError && err.code === 'BUFFER_EXHAUSTED') slowDown()
 * })
 * ```
 */
export class ProducerTimeoutError extends KafkaError {
  constructor(message: string, code: 'BUFFER_EXHAUSTED' | 'METADATA_TIMEOUT', cause?: unknown) {
    super(message, { code, retriable: true, cause })
  }
}

/**
 * A record that can never be sent: larger than `maxRequestSize` or `bufferMemory` (rejected by `send`
 * before it is queued), or refused by the broker with MESSAGE_TOO_LARGE in a batch of its own, i.e.
 * larger than the topic's `max.message.bytes` (or the broker's `message.max.bytes`). In that case the
 * message names the topic-partition and carries the broker's reason, and `cause` is the broker's
 * error. A batch of several records refused as too large is not failed: the producer splits it and
 * sends the parts again, so only records too large on their own fail, and the others of their batch
 * are delivered (in order). Code `MESSAGE_TOO_LARGE`, as Kafka's own RecordTooLargeException; not
 * retriable.
 *
 * @example
 * ```ts
 * await producer.send({ topic: 'blobs', value: hugeBuffer }).catch(async (err) => {
 *   if (err instanceof RecordTooLargeError) await storeElsewhere(hugeBuffer)
 * })
 * ```
 */
export class RecordTooLargeError extends KafkaError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'MESSAGE_TOO_LARGE', cause })
  }
}
