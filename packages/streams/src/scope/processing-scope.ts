import { StreamsError } from '../errors.js'

/** Called once a scope has settled: its processing is over and everything it held has completed. */
export type SettledListener = (scope: ProcessingScope, error: unknown) => void

/**
 * The processing of one input record: it opens when the source hands the record to the pipeline and
 * settles once the synchronous processing has returned and every piece of work attributed to it (an
 * output being written, an asynchronous step of `mapAsync`) has completed. Sources count open scopes
 * per partition for backpressure and commit only offsets whose scopes have settled.
 *
 * Work is attributed to the scope that is current when it starts: {@link runInScope} makes a scope
 * current while the pipeline handles its record synchronously, and `mapAsync` makes it current again
 * when its asynchronous result arrives.
 *
 * @example
 * ```ts
 * const scope = new ProcessingScope('orders', 0, 42, (s, error) => console.log('settled', s.offset, error))
 * runInScope(scope, () => input.next(record)) // toTopic() calls scope.track(send) in here
 * scope.close()
 * ```
 */
export class ProcessingScope {
  private pending = 1
  private error: unknown = undefined
  private failed = false
  /** True once processing returned and every hold was released. */
  settled = false

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** The input record's offset. */
    readonly offset: number,
    private readonly onSettled?: SettledListener,
  ) {}

  /**
   * Keeps the scope open until the returned function is called (calling it again does nothing).
   * Throws when the scope has already settled: its record may have been committed, so work started
   * now would not be covered.
   */
  hold(): () => void {
    this.acquire()
    let released = false
    return () => {
      if (released) return
      released = true
      this.release()
    }
  }

  /** Keeps the scope open until a matching {@link release} (the allocation-free form of {@link hold}). */
  acquire(): void {
    if (this.settled) {
      throw new StreamsError(
        `Work was attributed to the record at ${this.topic}-${this.partition}@${this.offset} after its processing had finished; use mapAsync() for asynchronous steps so the record stays in flight until they complete`,
        'OUTSIDE_PROCESSING',
      )
    }
    this.pending++
  }

  /** Ends one hold taken with {@link acquire}; `error` marks the scope failed. */
  release(error?: unknown): void {
    if (error !== undefined) this.fail(error)
    if (--this.pending > 0) return
    this.settled = true
    this.onSettled?.(this, this.failed ? (this.error ?? new Error('processing failed')) : undefined)
  }

  /** Holds the scope until `work` settles; a rejection marks the scope failed. */
  track(work: PromiseLike<unknown>): void {
    this.acquire()
    work.then(
      () => this.release(),
      (err: unknown) => this.release(err ?? new Error('failed')),
    )
  }

  /** Marks the scope failed (the first error wins); it still settles when its holds are released. */
  fail(error: unknown): void {
    if (this.failed) return
    this.failed = true
    this.error = error
  }

  /** Ends the synchronous part of the processing. */
  close(): void {
    this.release()
  }

  /** Whether the scope was marked failed. */
  get hasFailed(): boolean {
    return this.failed
  }
}

let current: ProcessingScope | undefined

/**
 * The scope whose record is being processed right now, if any: how sinks and asynchronous steps tie
 * their work to an input record.
 *
 * @example
 * ```ts
 * // a custom sink: the input record stays in flight until the write completes
 * const write = (value: string) => currentScope()?.track(db.insert(value))
 * ```
 */
export function currentScope(): ProcessingScope | undefined {
  return current
}

/**
 * Runs `fn` with `scope` current, restoring the previous one afterwards (scopes nest when an output of
 * one pipeline feeds another synchronously).
 *
 * @example
 * ```ts
 * const scope = new ProcessingScope('orders', 0, 42, onSettled)
 * runInScope(scope, () => input.next(record))
 * scope.close()
 * ```
 */
export function runInScope<T>(scope: ProcessingScope | undefined, fn: () => T): T {
  const previous = current
  current = scope
  try {
    return fn()
  } finally {
    current = previous
  }
}
