import { KafkaAggregateError } from '@tributary/client'
import type { KafkaError } from '@tributary/protocol'
import type { RecordMetadata } from './record.js'

/** Where the outcome of accepted records goes; `slot` is the record's position among the sink's records. */
export interface DeliverySink {
  resolve(slot: number, metadata: RecordMetadata): void
  reject(slot: number, error: KafkaError): void
}

// One executor shared by every SingleDelivery, so that a send allocates no closure for its promise.
let capturedResolve: (metadata: RecordMetadata) => void = () => {}
let capturedReject: (error: KafkaError) => void = () => {}
const capture = (resolve: (metadata: RecordMetadata) => void, reject: (error: KafkaError) => void) => {
  capturedResolve = resolve
  capturedReject = reject
}

/** The outcome of one `send`. */
export class SingleDelivery implements DeliverySink {
  readonly promise: Promise<RecordMetadata>
  private readonly settle: (metadata: RecordMetadata) => void
  private readonly fail: (error: KafkaError) => void

  constructor() {
    this.promise = new Promise<RecordMetadata>(capture)
    this.settle = capturedResolve
    this.fail = capturedReject
  }

  resolve(_slot: number, metadata: RecordMetadata): void {
    this.settle(metadata)
  }

  reject(_slot: number, error: KafkaError): void {
    this.fail(error)
  }
}

/**
 * Some records of a `sendBatch` failed. `results` holds, in the order the records were given, each
 * record's metadata or its error; `errors` the failures keyed by `/records/<index>`.
 *
 * @example
 * ```ts
 * try { await producer.sendBatch(records) } catch (err) {
 *   if (err instanceof SendBatchError) err.results.forEach((r, i) => { if (r instanceof Error) retryLater(records[i]) })
 * }
 * ```
 */
export class SendBatchError extends KafkaAggregateError {
  constructor(readonly results: readonly (RecordMetadata | KafkaError)[]) {
    const errors = new Map<string, KafkaError>()
    results.forEach((r, i) => {
      if (r instanceof Error) errors.set(`/records/${i}`, r)
    })
    super('sendBatch', errors)
  }
}

/** The outcome of one `sendBatch`: resolves once every record is acknowledged, rejects once all settled if any failed. */
export class BatchDelivery implements DeliverySink {
  readonly promise: Promise<RecordMetadata[]>
  private readonly results: (RecordMetadata | KafkaError)[]
  private remaining: number
  private failed = false
  private settle!: (metadata: RecordMetadata[]) => void
  private fail!: (error: KafkaError) => void

  constructor(count: number) {
    this.results = new Array(count)
    this.remaining = count
    this.promise = new Promise<RecordMetadata[]>((resolve, reject) => {
      this.settle = resolve
      this.fail = reject
    })
    if (count === 0) this.settle([])
  }

  resolve(slot: number, metadata: RecordMetadata): void {
    this.results[slot] = metadata
    if (--this.remaining === 0) this.finish()
  }

  reject(slot: number, error: KafkaError): void {
    this.results[slot] = error
    this.failed = true
    if (--this.remaining === 0) this.finish()
  }

  private finish(): void {
    if (this.failed) this.fail(new SendBatchError(this.results))
    else this.settle(this.results as RecordMetadata[])
  }
}
