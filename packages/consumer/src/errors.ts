import { KafkaError } from '@tributary/protocol'

/**
 * A record that could not be delivered: its batch is corrupt or undecodable, or a deserializer threw.
 * Delivery of the partition stops at this record; `seek` past it (`offset + 1n`) to skip it.
 *
 * @example
 * ```ts
 * try {
 *   for await (const record of consumer) handle(record)
 * } catch (err) {
 *   if (err instanceof RecordError) consumer.seek({ topic: err.topic, partition: err.partition, offset: err.offset + 1n })
 * }
 * ```
 */
export class RecordError extends KafkaError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: bigint,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(`Cannot deliver the record of ${topic}-${partition} at offset ${offset}: ${reason}`, {
      code: cause instanceof KafkaError ? cause.code : 'RECORD_DESERIALIZATION_ERROR',
      cause,
    })
  }
}
