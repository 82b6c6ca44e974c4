import type { ProducerRecord, RecordMetadata } from '@tributary/producer'
import type { ProcessingScope } from '../scope/processing-scope.js'

type Record = ProducerRecord<Buffer | null, Buffer | null>

/**
 * Gathers the records written during one synchronous run of the pipeline (typically every output of
 * one consumer delivery) and sends them with one `sendBatch` at the end of it, instead of one `send`
 * and several promises per record. Each record keeps its processing scope open until its batch is
 * acknowledged, and fails it when the batch fails.
 *
 * @example
 * ```ts
 * const batcher = new OutputBatcher((records) => producer.sendBatch(records), (metas, error) => { ... })
 * batcher.add(record, currentScope())
 * ```
 */
export class OutputBatcher {
  private records: Record[] = []
  private scopes: (ProcessingScope | undefined)[] = []
  private scheduled = false

  constructor(
    private readonly send: (records: Record[]) => Promise<RecordMetadata[]>,
    /** Told the outcome of each batch: the metadata in order, or the error. */
    private readonly outcome?: (metadata: RecordMetadata[] | undefined, error: unknown) => void,
  ) {}

  /** Queues a record; it is sent when the current synchronous run ends. Throws when `scope` has settled. */
  add(record: Record, scope: ProcessingScope | undefined): void {
    scope?.acquire()
    this.records.push(record)
    this.scopes.push(scope)
    if (this.scheduled) return
    this.scheduled = true
    queueMicrotask(() => this.flush())
  }

  /** Sends what is queued now. */
  flush(): void {
    this.scheduled = false
    if (this.records.length === 0) return
    const scopes = this.scopes
    const records = this.records
    this.records = []
    this.scopes = []
    this.send(records).then(
      (metadata) => {
        for (const s of scopes) s?.release()
        this.outcome?.(metadata, undefined)
      },
      (err: unknown) => {
        for (const s of scopes) s?.release(err)
        this.outcome?.(undefined, err)
      },
    )
  }
}
