import { Observable, Subscription, from, type ObservableInput, type OperatorFunction } from 'rxjs'
import { currentScope, runInScope } from '../scope/processing-scope.js'

/** Options of {@link mapAsync}. */
export interface MapAsyncOptions {
  /** How many projections run at once. Default 1: one after the other, in input order (as `concatMap`). */
  concurrency?: number
}

interface Pending<T> {
  value: T
  scope: ReturnType<typeof currentScope>
  release: () => void
}

/**
 * `mergeMap` for asynchronous steps in a Kafka pipeline (`concatMap` with the default concurrency of
 * 1): projects each value to a promise or Observable and emits what it produces. Unlike the RxJS
 * operators, it keeps the input record in flight until its projection completes, and ties the
 * projection's outputs to that record, so sources hold back commits and pause partitions while the
 * work is pending, and a runner's transaction waits for it. Use it for every asynchronous step
 * (a lookup, an HTTP call) between a source and a sink.
 *
 * @example
 * ```ts
 * fromTopic({ bootstrapServers, groupId: 'enrich', topic: orders }).pipe(
 *   mapAsync((order) => fetchCustomer(order.value.customer).then((customer) => ({ key: order.key, value: { ...order.value, customer } })), { concurrency: 8 }),
 *   toTopic(producer, enriched),
 * )
 * ```
 * @param project - returns a promise, an Observable or any `ObservableInput` for a value
 * @param options - `concurrency`
 */
export function mapAsync<T, R>(project: (value: T, index: number) => ObservableInput<R>, options: MapAsyncOptions = {}): OperatorFunction<T, R> {
  const concurrency = options.concurrency ?? 1
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${String(concurrency)}`)
  return (source) =>
    new Observable<R>((subscriber) => {
      const queue: Pending<T>[] = []
      const running = new Set<Pending<T>>()
      let index = 0
      let sourceDone = false

      const startNext = () => {
        while (running.size < concurrency && queue.length > 0 && !subscriber.closed) run(queue.shift()!)
        if (sourceDone && running.size === 0 && queue.length === 0) subscriber.complete()
      }
      const run = (item: Pending<T>) => {
        running.add(item)
        let input: ObservableInput<R>
        try {
          input = project(item.value, index++)
        } catch (err) {
          subscriber.error(err)
          return
        }
        const inner = new Subscription()
        subscriber.add(inner)
        inner.add(
          from(input).subscribe({
            next: (value) => runInScope(item.scope, () => subscriber.next(value)),
            error: (err: unknown) => subscriber.error(err),
            complete: () => {
              subscriber.remove(inner)
              running.delete(item)
              item.release()
              startNext()
            },
          }),
        )
      }

      subscriber.add(
        source.subscribe({
          next: (value) => {
            const scope = currentScope()
            let release: () => void
            try {
              release = scope ? scope.hold() : () => {}
            } catch (err) {
              subscriber.error(err)
              return
            }
            queue.push({ value, scope, release })
            startNext()
          },
          error: (err: unknown) => subscriber.error(err),
          complete: () => {
            sourceDone = true
            startNext()
          },
        }),
      )
      return () => {
        for (const item of [...running, ...queue]) item.release()
        running.clear()
        queue.length = 0
      }
    })
}
