import { KafkaError } from '@tributary/protocol'

/**
 * A streams error: a pipeline that broke its contract (an output emitted outside the processing of an
 * input record, a store used twice), a processing failure the runner gave up on, or a misconfiguration.
 * `code` says which; `cause` holds the underlying error when there is one.
 *
 * @example
 * ```ts
 * app.done.catch((err) => {
 *   if (err instanceof StreamsError && err.code === 'PROCESSING_FAILED') console.error('giving up:', err.cause)
 * })
 * ```
 */
export class StreamsError extends KafkaError {
  constructor(message: string, code: StreamsErrorCode, cause?: unknown) {
    super(message, { code, cause })
  }
}

/** The codes a {@link StreamsError} carries. */
export type StreamsErrorCode =
  /** An output or a state update happened while no input record was being processed. */
  | 'OUTSIDE_PROCESSING'
  /** Two operators of one pipeline use the same store name, or a store appeared after the start. */
  | 'STORE_CONFLICT'
  /** A stateful operator inside a runner has no store name. */
  | 'STORE_NAME_REQUIRED'
  /** The pipeline failed more often in a row than `processingRetries` allows. */
  | 'PROCESSING_FAILED'
  /** The pipeline completed although records keep arriving. */
  | 'PIPELINE_COMPLETED'
  /** A changelog or table topic could not be read to its end. */
  | 'RESTORE_FAILED'
  /** A table needs a runner to be materialized. */
  | 'TABLE_NEEDS_RUNNER'
  /** An output record could not be written (no serializer for its topic, invalid value). */
  | 'INVALID_OUTPUT'
