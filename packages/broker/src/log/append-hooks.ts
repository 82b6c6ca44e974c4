import { readRecordBatchHeader, type RecordBatchHeader } from '@tributary/protocol'
import type { AppendOrigin } from './append-validation.js'
import type { StorageLogger } from './logger.js'

/**
 * The seams the transaction and group coordinators build on: per-partition producer state (sequence
 * and epoch checks), the transaction index and the last stable offset plug in here without the log
 * knowing about them.
 */

/** What a partition log answers for an append (offsets as numbers; see {@link PartitionLog.append}). */
export interface AppendResult {
  /** Offset of the first record appended. */
  baseOffset: number
  /** Offset of the last record appended. */
  lastOffset: number
  /** The broker time stamped on the batches with `LogAppendTime`, else -1 (as Produce answers). */
  logAppendTime: number
  logStartOffset: number
  /** Records appended. */
  recordCount: number
}

/** A batch about to be appended, already validated, before offsets are assigned. */
export interface PendingBatch {
  /** Its header as sent (`baseOffset` still the producer's 0). */
  header: RecordBatchHeader
  /** The batch bytes (a view into the appended buffer). */
  bytes: Buffer
}

/**
 * Runs after validation and before anything is written. Throw a KafkaError (for example
 * `OUT_OF_ORDER_SEQUENCE_NUMBER`, `INVALID_PRODUCER_EPOCH`) to refuse the append; return an
 * {@link AppendResult} to answer without appending (a duplicate batch answered with the offsets it
 * got the first time); return undefined to let it through. Must not write to the log.
 */
export type AppendCheck = (batches: readonly PendingBatch[], origin: AppendOrigin) => AppendResult | undefined

/** A batch that was appended: its header after offsets were assigned, and where it went. */
export interface AppendedBatch {
  header: RecordBatchHeader
  baseOffset: number
  lastOffset: number
}

/**
 * Sees every appended batch, synchronously, after the bytes reached the OS and before the append
 * returns (so producer state never lags the log). An exception here is logged and swallowed: the
 * data is already written and the append succeeded.
 */
export type AppendObserver = (batches: readonly AppendedBatch[], origin: AppendOrigin) => void

/** The checks and observers of one log, and how they are run. */
export class AppendHooks {
  private readonly checks: AppendCheck[] = []
  private readonly observers: AppendObserver[] = []

  constructor(
    private readonly logger: StorageLogger,
    private readonly name: string,
  ) {}

  addCheck(check: AppendCheck): () => void {
    this.checks.push(check)
    return () => void remove(this.checks, check)
  }

  addObserver(observer: AppendObserver): () => void {
    this.observers.push(observer)
    return () => void remove(this.observers, observer)
  }

  /** Runs the checks in order on validated batches (views into `data`); the first answer wins. */
  check(data: Buffer, batches: readonly { position: number; size: number }[], origin: AppendOrigin): AppendResult | undefined {
    if (this.checks.length === 0) return undefined
    const pending = batches.map((b) => ({ header: readRecordBatchHeader(data, b.position), bytes: data.subarray(b.position, b.position + b.size) }))
    for (const check of this.checks) {
      const answer = check(pending, origin)
      if (answer) return answer
    }
    return undefined
  }

  /** Tells the observers about appended batches (positions in `data`, offsets assigned). */
  notify(data: Buffer, batches: readonly { position: number; baseOffset: number; lastOffset: number }[], origin: AppendOrigin): void {
    if (this.observers.length === 0) return
    const appended = batches.map((b) => ({ header: readRecordBatchHeader(data, b.position), baseOffset: b.baseOffset, lastOffset: b.lastOffset }))
    for (const observer of this.observers) {
      try {
        observer(appended, origin)
      } catch (err) {
        this.logger.error(`${this.name}: an append observer failed`, err)
      }
    }
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item)
  if (i >= 0) list.splice(i, 1)
}
