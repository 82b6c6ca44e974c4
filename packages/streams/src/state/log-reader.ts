import { Admin, type ClientOptions } from '@tributary/client'
import { Consumer, type ConsumerRecord, type TopicPartition } from '@tributary/consumer'
import { StreamsError } from '../errors.js'

/** Options of {@link LogReader.open}. */
export interface LogReaderOptions {
  client: ClientOptions
  partitions: readonly TopicPartition[]
  /** Receives the records of one partition, in offset order. */
  onRecords(topic: string, partition: number, records: ConsumerRecord<Buffer | null, Buffer | null>[]): void
  /** Keep reading new records after catching up (tables) rather than stop (changelog restores). */
  follow: boolean
  /** Aborts the catch-up, end offsets lookup included (the promise rejects). */
  signal?: AbortSignal
}

const POLL_MS = 5

/**
 * Reads partitions from their beginning with `read_committed` (so aborted transactions are skipped)
 * and resolves once every one has reached the end it had when reading started: the last stable
 * offset. Changelog restores stop there; table readers go on following the topic until closed. It
 * uses a consumer without a group, so nothing is committed.
 *
 * @example
 * ```ts
 * const reader = await LogReader.open({ client, partitions: [{ topic: 'app-totals-changelog', partition: 0 }], follow: false, onRecords: (t, p, rs) => apply(rs) })
 * ```
 */
export class LogReader {
  private readonly stop = new AbortController()
  private running: Promise<void> = Promise.resolve()

  private constructor(private readonly consumer: Consumer) {}

  static async open(options: LogReaderOptions): Promise<LogReader> {
    const ends = await endOffsets(options.client, options.partitions, options.signal)
    const consumer = new Consumer({
      ...options.client,
      isolationLevel: 'read_committed',
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
      maxPollRecords: 5_000,
      fetchMaxWaitMs: 100,
    })
    const reader = new LogReader(consumer)
    const reading = options.partitions.filter((tp) => options.follow || (ends.get(`${tp.topic}:${tp.partition}`) ?? 0) > 0)
    if (reading.length === 0) {
      await consumer.close()
      return reader
    }
    await consumer.assign(reading)
    let fail: (err: unknown) => void = () => {}
    const failed = new Promise<never>((_, reject) => (fail = reject))
    reader.running = consumer
      .run({ eachBatch: ({ topic, partition, records }) => options.onRecords(topic, partition, records as ConsumerRecord<Buffer | null, Buffer | null>[]), signal: reader.stop.signal })
      .catch((err: unknown) => fail(err))
    const caughtUp = () =>
      reading.every((tp) => {
        const end = ends.get(`${tp.topic}:${tp.partition}`) ?? 0
        if (end === 0) return true
        const position = consumer.position(tp)
        return position !== null && position >= BigInt(end)
      })
    try {
      await Promise.race([failed, waitUntil(caughtUp, options.signal)])
    } catch (err) {
      await reader.close()
      const where = reading.map((tp) => `${tp.topic}-${tp.partition}`).join(', ')
      throw new StreamsError(`Reading ${where} to its end failed: ${(err as Error).message}`, 'RESTORE_FAILED', err)
    }
    if (!options.follow) await reader.close()
    return reader
  }

  /** Stops reading and closes the consumer. */
  async close(): Promise<void> {
    this.stop.abort()
    await this.running
    await this.consumer.close()
  }
}

/** The last stable offsets of `partitions`. */
async function endOffsets(client: ClientOptions, partitions: readonly TopicPartition[], signal?: AbortSignal): Promise<Map<string, number>> {
  const byTopic = new Map<string, number[]>()
  for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition])
  const admin = new Admin(client)
  try {
    const listed = await admin.listOffsets([...byTopic].map(([topic, ps]) => ({ topic, partitions: ps, at: 'latest' as const })), { isolationLevel: 'read_committed', signal })
    return new Map(listed.map((o) => [`${o.topic}:${o.partition}`, Number(o.offset)]))
  } finally {
    await admin.close()
  }
}

function waitUntil(done: () => boolean, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (signal?.aborted) return reject(new Error('aborted'))
      if (done()) return resolve()
      setTimeout(check, POLL_MS)
    }
    check()
  })
}
