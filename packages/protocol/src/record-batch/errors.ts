import { DecodeError } from '../errors/kafka-error.js'

/**
 * A record batch whose CRC does not match its bytes. Its code is `CORRUPT_MESSAGE`, the Kafka error a
 * broker answers a Produce with when this happens; it is still a {@link DecodeError}.
 *
 * @example
 * ```ts
 * try { verifyRecordBatch(batch) } catch (err) {
 *   if (err instanceof CorruptRecordError) return { errorCode: 2 } // CORRUPT_MESSAGE
 * }
 * ```
 */
export class CorruptRecordError extends DecodeError {
  override readonly code: string = 'CORRUPT_MESSAGE'
}
