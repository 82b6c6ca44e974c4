import { ERROR_TABLE, type ErrorTableEntry } from '../generated/errors.js'
import { KafkaError } from './kafka-error.js'
import { PROTOCOL_ERROR_MESSAGES } from './protocol-error-messages.js'

/**
 * An error code returned by a Kafka broker, as an exception: `code` is the error's name from the
 * protocol error table (e.g. `'NOT_LEADER_OR_FOLLOWER'`), `errorCode` its number, and `retriable` says
 * whether Kafka's clients retry it.
 *
 * @example
 * ```ts
 * const err = errorForCode(partition.errorCode, `orders-${partition.partitionIndex}`)
 * if (err?.retriable) await refreshMetadataAndRetry()
 * else if (err) throw err
 * ```
 */
export class KafkaProtocolError extends KafkaError {
  /** The numeric error code from the wire. */
  readonly errorCode: number

  constructor(errorCode: number, options: { detail?: string; cause?: unknown } = {}) {
    const entry = entryFor(errorCode)
    const base = entry ? PROTOCOL_ERROR_MESSAGES[entry.name] : `The broker returned error code ${errorCode}, which this client does not know; check the broker logs.`
    const name = entry ? entry.name : 'UNKNOWN_SERVER_ERROR'
    const message = `${name} (${errorCode}): ${base}${options.detail ? ` (${options.detail})` : ''}`
    super(message, { code: name, retriable: entry?.retriable ?? false, cause: options.cause })
    this.errorCode = errorCode
  }
}

let byCode: Map<number, ErrorTableEntry> | undefined

function entryFor(errorCode: number): ErrorTableEntry | undefined {
  byCode ??= new Map(ERROR_TABLE.map((e) => [e.code, e]))
  return byCode.get(errorCode)
}

/** The table entry for an error code, or undefined for a code the table does not list. */
export function errorTableEntry(errorCode: number): ErrorTableEntry | undefined {
  return entryFor(errorCode)
}

/**
 * The error for a broker's error code: null for 0 (no error); for an unknown code, an error like
 * UNKNOWN_SERVER_ERROR whose message names the number. `detail` (a topic-partition, the broker's
 * own error message) is appended to the message.
 *
 * @example
 * ```ts
 * errorForCode(6)?.code // 'NOT_LEADER_OR_FOLLOWER'
 * ```
 */
export function errorForCode(errorCode: number, detail?: string): KafkaProtocolError | null {
  if (errorCode === 0) return null
  return new KafkaProtocolError(errorCode, { detail })
}
