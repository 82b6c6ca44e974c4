import type { Deliveries, Delivery } from './delivery/deliveries.js'
import type { IteratorSource } from './iterator.js'
import type { ConsumerRecord, TopicPartition } from './record.js'

/** What `eachMessage` receives. */
export interface EachMessagePayload<K, V> {
  record: ConsumerRecord<K, V>
  topic: string
  partition: number
  /** Tells the consumer processing is progressing, resetting the `maxPollIntervalMs` clock (heartbeats run on their own). */
  heartbeat(): void
  /** Pauses this record's partition; `consumer.resume()` restarts it. */
  pause(): void
  /** Aborts when the consumer closes or the run stops. */
  signal: AbortSignal
}

/** What `eachBatch` receives: consecutive records of one partition. */
export interface EachBatchPayload<K, V> {
  topic: string
  partition: number
  /** At most `maxPollRecords`, in offset order. */
  records: ConsumerRecord<K, V>[]
  /** The partition's high watermark from the latest fetch. */
  highWatermark: bigint
  /**
   * Marks records up to and including `offset` processed (committable). Without calls, the whole
   * batch counts as processed when `eachBatch` returns; after a throw, only what was resolved.
   */
  resolveOffset(offset: bigint): void
  /** Tells the consumer processing is progressing, resetting the `maxPollIntervalMs` clock. */
  heartbeat(): void
  /** Pauses the partition. */
  pause(): void
  /** True when the rest of the batch should be dropped: the partition is being revoked, or was seeked. */
  isStale(): boolean
  signal: AbortSignal
}

/** `run()` settings: one of `eachMessage` and `eachBatch`. */
export interface RunOptions<K, V> {
  eachMessage?: (payload: EachMessagePayload<K, V>) => void | Promise<void>
  eachBatch?: (payload: EachBatchPayload<K, V>) => void | Promise<void>
  /** How many partitions are processed at once (each still one record after another). Default 1. */
  partitionsConsumedConcurrently?: number
  /** Stops the run (resolving its promise) without closing the consumer. */
  signal?: AbortSignal
}

/** What the runner needs from the consumer beyond the iterator's needs. */
export interface RunnerSource extends IteratorSource {
  pause(partitions: TopicPartition[]): void
}

/**
 * Runs `eachMessage` or `eachBatch` over the consumer's records until the consumer closes or the
 * run's signal aborts. Records of a partition are handled one after the other, in order; with
 * `partitionsConsumedConcurrently` > 1, that many partitions are handled at once.
 *
 * A handler that throws stops the run: the records from the failing one on are delivered again, the
 * records before it count as processed, and the promise rejects with the handler's error.
 */
export async function runConsumer<K, V>(source: RunnerSource, options: RunOptions<K, V>): Promise<void> {
  if (!options.eachMessage === !options.eachBatch) throw new TypeError('run() needs exactly one of eachMessage and eachBatch')
  const workers = options.partitionsConsumedConcurrently ?? 1
  if (!Number.isInteger(workers) || workers < 1) throw new TypeError(`partitionsConsumedConcurrently must be a positive integer, got ${workers}`)
  await source.ready()
  const stop = new AbortController()
  const onAbort = () => stop.abort()
  options.signal?.addEventListener('abort', onAbort, { once: true })
  source.closeSignal.addEventListener('abort', onAbort, { once: true })
  try {
    await Promise.all(
      Array.from({ length: workers }, () =>
        worker(source, options, stop.signal).catch((err: unknown) => {
          stop.abort()
          throw err
        }),
      ),
    )
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    source.closeSignal.removeEventListener('abort', onAbort)
  }
}

async function worker<K, V>(source: RunnerSource, options: RunOptions<K, V>, signal: AbortSignal): Promise<void> {
  const deliveries = source.deliveries
  while (!signal.aborted && !source.closing) {
    const failure = deliveries.takeFailure()
    if (failure) throw failure
    const delivery = deliveries.take(source.maxPollRecords)
    if (!delivery) {
      await deliveries.wait(signal)
      continue
    }
    if (options.eachBatch) await handleBatch(source, delivery, options.eachBatch, signal)
    else await handleMessages(source, delivery, options.eachMessage!, signal)
  }
}

async function handleMessages<K, V>(source: RunnerSource, d: Delivery, eachMessage: NonNullable<RunOptions<K, V>['eachMessage']>, signal: AbortSignal): Promise<void> {
  const deliveries: Deliveries = source.deliveries
  const { topic, partition } = d.state
  const heartbeat = () => void d.marks++
  const pause = () => source.pause([{ topic, partition }])
  const records = d.records as ConsumerRecord<K, V>[]
  let i = 0
  try {
    for (; i < records.length; i++) {
      if (d.state.revoking || d.state.epoch !== d.epoch || signal.aborted) break
      const record = records[i]!
      const result = eachMessage({ record, topic, partition, heartbeat, pause, signal })
      // Only wait for handlers that return a promise: awaiting a plain value still costs a turn.
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') await result
      deliveries.progress(d, Number(record.offset) + 1)
    }
  } catch (err) {
    deliveries.finish(d, Number(records[i]!.offset))
    throw err
  }
  deliveries.finish(d, i >= records.length ? d.end : Number(records[i]!.offset))
}

async function handleBatch<K, V>(source: RunnerSource, d: Delivery, eachBatch: NonNullable<RunOptions<K, V>['eachBatch']>, signal: AbortSignal): Promise<void> {
  const deliveries = source.deliveries
  const { topic, partition } = d.state
  let resolved = -1
  try {
    await eachBatch({
      topic,
      partition,
      records: d.records as ConsumerRecord<K, V>[],
      highWatermark: BigInt(Math.max(d.state.highWatermark, 0)),
      resolveOffset: (offset) => {
        resolved = Math.max(resolved, Number(offset) + 1)
        deliveries.progress(d, resolved)
      },
      heartbeat: () => void d.marks++,
      pause: () => source.pause([{ topic, partition }]),
      isStale: () => d.state.revoking || d.state.epoch !== d.epoch,
      signal,
    })
  } catch (err) {
    deliveries.finish(d, resolved >= 0 ? resolved : Number(d.records[0]!.offset))
    throw err
  }
  deliveries.finish(d, resolved >= 0 && (d.state.revoking || d.state.epoch !== d.epoch) ? resolved : d.end)
}
