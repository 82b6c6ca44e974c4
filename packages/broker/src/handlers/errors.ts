import { ErrorCode, KafkaError, KafkaProtocolError, type ErrorName } from '@tributary/protocol'
import { LogError } from '../log/errors.js'
import type { RequestContext } from './handler.js'

/**
 * An error a handler answers with: a Kafka error name and, in `detail`, what exactly was wrong, for
 * the response's error message.
 */
export class RequestError extends KafkaProtocolError {
  constructor(
    code: ErrorName,
    readonly detail: string,
  ) {
    super(ErrorCode[code], { detail })
  }
}

/** Builds a {@link RequestError}. */
export function requestError(code: ErrorName, detail: string): RequestError {
  return new RequestError(code, detail)
}

function isErrorName(code: string): code is ErrorName {
  return Object.hasOwn(ErrorCode, code)
}

/**
 * The numeric error code to answer with for an exception thrown while serving part of a request.
 * Kafka errors (from the log, or {@link requestError}) map by name; anything else is a bug, is
 * logged with the request it happened in, and answers UNKNOWN_SERVER_ERROR.
 */
export function errorCodeOf(err: unknown, ctx: RequestContext, what: string): number {
  if (err instanceof KafkaProtocolError) return err.errorCode
  if (err instanceof KafkaError && isErrorName(err.code)) return ErrorCode[err.code]
  ctx.broker.logger.error(`connection ${ctx.connection.id}: ${what} failed unexpectedly`, err)
  return ErrorCode.UNKNOWN_SERVER_ERROR
}

/** The message for a response's error message field: what was wrong; null for errors that were not expected. */
export function errorMessageOf(err: unknown): string | null {
  if (err instanceof LogError || err instanceof RequestError) return err.detail
  return err instanceof KafkaError && isErrorName(err.code) ? err.message : null
}
/** An int64 offset from the wire as a number, clamped to ±(2^53 - 1) so that range checks stay correct. */
export function offsetFromWire(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER
  if (value < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER
  return Number(value)
}
