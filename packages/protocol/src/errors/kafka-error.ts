/** Options every Tributary error accepts. */
export interface KafkaErrorOptions {
  /** A stable, machine-readable code such as `DECODE_ERROR` or `NOT_LEADER_OR_FOLLOWER`. */
  code: string
  /** Whether repeating the same operation may succeed. */
  retriable?: boolean
  /** The error that led to this one. */
  cause?: unknown
}

/**
 * The base class of every error Tributary throws: a message saying what went wrong and what to do,
 * a string `code` for programs, and whether a retry may help.
 *
 * @example
 * ```ts
 * try { await producer.send(record) } catch (err) {
 *   if (err instanceof KafkaError && err.retriable) scheduleRetry()
 * }
 * ```
 */
export class KafkaError extends Error {
  readonly code: string
  readonly retriable: boolean

  constructor(message: string, options: KafkaErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = options.code
    this.retriable = options.retriable ?? false
  }
}

/** True when `err` is a Tributary error that a retry may fix. */
export function isRetriable(err: unknown): boolean {
  return err instanceof KafkaError && err.retriable
}

/**
 * Bytes that do not form a valid Kafka message: a truncated frame, a length that points past the end,
 * an unknown version. Decoders throw only this (never a RangeError), so callers can drop the frame.
 */
export class DecodeError extends KafkaError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'DECODE_ERROR', cause })
  }
}

/** A value that cannot be written in the requested wire format (out of range, null where not allowed). */
export class EncodeError extends KafkaError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'ENCODE_ERROR', cause })
  }
}
