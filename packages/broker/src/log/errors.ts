import { ErrorCode, KafkaProtocolError } from '@tributary/protocol'

/**
 * The Kafka error names the storage layer answers with. Each is a key of the protocol's `ErrorCode`
 * table, so a handler answers with `err.errorCode`.
 */
export type LogErrorCode =
  | 'CORRUPT_MESSAGE'
  | 'MESSAGE_TOO_LARGE'
  | 'RECORD_LIST_TOO_LARGE'
  | 'INVALID_RECORD'
  | 'INVALID_TIMESTAMP'
  | 'UNSUPPORTED_FOR_MESSAGE_FORMAT'
  | 'OFFSET_OUT_OF_RANGE'
  | 'KAFKA_STORAGE_ERROR'
  | 'INVALID_TOPIC_EXCEPTION'
  | 'TOPIC_ALREADY_EXISTS'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'INVALID_PARTITIONS'
  | 'INVALID_REPLICATION_FACTOR'
  | 'INVALID_CONFIG'
  | 'INVALID_REQUEST'

/**
 * An error the storage layer raises: a {@link KafkaProtocolError} (`code` is the Kafka error name,
 * `errorCode` its number, `retriable` from Kafka's table) whose `detail` says exactly what was
 * wrong, for the error-message fields of responses (CreateTopics, DeleteRecords, ...).
 *
 * @example
 * ```ts
 * try { log.append(batches) } catch (err) {
 *   if (err instanceof LogError) return { errorCode: err.errorCode, errorMessage: err.detail }
 *   throw err
 * }
 * ```
 */
export class LogError extends KafkaProtocolError {
  override readonly code: LogErrorCode

  constructor(
    code: LogErrorCode,
    /** What went wrong, in one sentence, without the generic text of the error code. */
    readonly detail: string,
    cause?: unknown,
  ) {
    super(ErrorCode[code], { detail, cause })
    this.code = code
  }
}

/** Builds the {@link LogError} for one of the storage layer's error names. */
export function logError(code: LogErrorCode, detail: string, cause?: unknown): LogError {
  return new LogError(code, detail, cause)
}

/** Wraps a filesystem failure (disk full, permissions, ...) as `KAFKA_STORAGE_ERROR`. */
export function storageError(what: string, cause: unknown): LogError {
  const reason = cause instanceof Error ? cause.message : String(cause)
  return logError('KAFKA_STORAGE_ERROR', `${what} failed: ${reason}`, cause)
}
