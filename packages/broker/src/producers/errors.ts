import { ErrorCode, KafkaProtocolError } from '@tributary/protocol'

/** The Kafka errors a partition's producer state refuses an append with. */
export type ProducerStateErrorCode = 'OUT_OF_ORDER_SEQUENCE_NUMBER' | 'INVALID_PRODUCER_EPOCH' | 'INVALID_TXN_STATE' | 'TRANSACTION_COORDINATOR_FENCED'

/**
 * An append refused by the producer state checks. `code` is the Kafka error name the Produce
 * response carries; the message says which producer, partition, epoch or sequence was wrong.
 */
export class ProducerStateError extends KafkaProtocolError {
  override readonly code: ProducerStateErrorCode

  constructor(
    code: ProducerStateErrorCode,
    /** What exactly was wrong, in one sentence. */
    readonly detail: string,
  ) {
    super(ErrorCode[code], { detail })
    this.code = code
  }
}

/** Builds a {@link ProducerStateError}. */
export function producerStateError(code: ProducerStateErrorCode, detail: string): ProducerStateError {
  return new ProducerStateError(code, detail)
}
