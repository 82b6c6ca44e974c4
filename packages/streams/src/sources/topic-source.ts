import type { ClientOptions } from '@tributary/client'
import { Consumer, type ConsumerOptions, type ConsumerRecord, type EachBatchPayload, type TopicPartition } from '@tributary/consumer'
import { Producer, type ProducerOptions } from '@tributary/producer'
import type { Subscriber } from 'rxjs'
import type { StreamRecord } from '../record.js'
import { InFlight } from '../scope/in-flight.js'
import { runInScope, type ProcessingScope } from '../scope/processing-scope.js'
import { deadLetterRecord } from '../topics/dead-letter.js'
import { decodeRecord } from '../topics/decode-record.js'
import { asTopic, type TopicDefinition, type TopicInput } from '../topics/define-topic.js'

/** Options of `fromTopic`: the client options plus what to read and how. */
export interface FromTopicOptions<T extends TopicInput> extends ClientOptions {
  /** The topic (or topics) to read: definitions for typed records, names for Buffers. */
  topic: T | readonly T[]
  /** The consumer group: partitions are shared among its members, offsets committed to it. */
  groupId: string
  /** Where to start without a committed offset. Default `'latest'`, as Kafka's consumer. */
  autoOffsetReset?: 'earliest' | 'latest' | 'none'
  /**
   * Records of one partition in flight (handed over, outputs not yet acknowledged) at which it is
   * paused; at most this plus one delivery (`consumer.maxPollRecords`) are in flight. Default 10 000.
   */
  maxInFlightPerPartition?: number
  /** How often settled offsets are committed. Default 1000 ms. */
  commitIntervalMs?: number
  /** Further consumer options (`sessionTimeoutMs`, `maxPollRecords`, `isolationLevel`, …). */
  consumer?: Partial<Omit<ConsumerOptions, 'groupId' | 'enableAutoCommit' | 'keyDeserializer' | 'valueDeserializer'>>
  /** Options of the producer that writes dead letters (created on the first invalid record). */
  producer?: Partial<ProducerOptions>
  /** Called once the consumer has closed after the subscription ended (with the error that ended it, if any). */
  onClose?: (error?: unknown) => void
}

type Raw = ConsumerRecord<Buffer | null, Buffer | null>

/**
 * The work behind `fromTopic`: a group consumer whose records are handed to the subscriber one by one,
 * each in its own processing scope. Offsets are committed (every `commitIntervalMs`, and on
 * revocation, which includes the end: closing the consumer revokes every partition) up to the first
 * record whose scope has not settled, so a record counts as processed only once everything it caused
 * has completed: at least once. A partition with `maxInFlightPerPartition` unsettled records is
 * paused after the delivery that filled it, and resumed once half of them have settled.
 */
export class TopicSource<K, V> {
  private readonly consumer: Consumer
  private readonly flows: InFlight
  private readonly topics = new Map<string, TopicDefinition<K, V>>()
  private readonly stopping = new AbortController()
  private readonly committed = new Map<string, number>()
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private deadLetters: Producer<Buffer | null, Buffer | null> | undefined
  private error: unknown

  constructor(
    private readonly options: FromTopicOptions<TopicInput>,
    private readonly subscriber: Subscriber<StreamRecord<K, V>>,
  ) {
    const list = (Array.isArray(options.topic) ? options.topic : [options.topic]) as TopicInput[]
    for (const t of list) {
      const def = asTopic(t) as TopicDefinition<K, V>
      this.topics.set(def.name, def)
    }
    const { topic: _t, groupId, autoOffsetReset, maxInFlightPerPartition: _m, commitIntervalMs: _c, consumer, producer: _p, onClose: _o, ...client } = options
    this.consumer = new Consumer({ ...client, ...consumer, groupId, autoOffsetReset: autoOffsetReset ?? consumer?.autoOffsetReset, enableAutoCommit: false } as ConsumerOptions)
    const resume = (topic: string, partition: number) => {
      if (this.consumer.assignment().some((tp) => tp.topic === topic && tp.partition === partition)) this.consumer.resume([{ topic, partition }])
    }
    this.flows = new InFlight(options.maxInFlightPerPartition ?? 10_000, { pause: (topic, partition) => this.consumer.pause([{ topic, partition }]), resume })
  }

  /** Joins the group and starts handing records over; failures end the subscription with an error. */
  start(): void {
    this.running = this.run().catch((err: unknown) => {
      this.error = err
      this.subscriber.error(err)
    })
  }

  /**
   * Stops: closes the consumer, which revokes the partitions (committing what has settled, in
   * `onPartitionsRevoked`) and leaves the group within the consumer's default close timeout (30 s),
   * however long the broker takes; then closes the dead-letter producer.
   */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.stopping.abort()
    try {
      await this.running
      await this.consumer.close()
      await this.deadLetters?.close()
    } finally {
      this.options.onClose?.(this.error)
    }
  }

  private async run(): Promise<void> {
    await this.consumer.subscribe([...this.topics.keys()], {
      onPartitionsRevoked: async (tps) => {
        await this.commit(tps).catch((err: unknown) => this.consumer.options.logger.warn(`Committing the settled offsets of ${tps.map((tp) => `${tp.topic}-${tp.partition}`).join(', ')} failed: ${(err as Error).message}`))
        for (const tp of tps) this.flows.drop(tp.topic, tp.partition)
      },
      onPartitionsLost: (tps) => {
        for (const tp of tps) this.flows.drop(tp.topic, tp.partition)
      },
    })
    if (this.stopping.signal.aborted) return
    this.timer = setInterval(() => void this.commit().catch(() => {}), this.options.commitIntervalMs ?? 1_000)
    this.timer.unref()
    await this.consumer.run({ eachBatch: (batch) => this.deliver(batch as EachBatchPayload<Buffer | null, Buffer | null>), signal: this.stopping.signal })
  }

  private deliver({ topic, partition, records, isStale }: EachBatchPayload<Buffer | null, Buffer | null>): void {
    if (this.flows.full(topic, partition)) {
      // Resumed and refilled meanwhile: hand this delivery over again later.
      this.flows.pauseIfFull(topic, partition)
      this.consumer.seek({ topic, partition, offset: records[0]!.offset })
      return
    }
    const def = this.topics.get(topic)!
    for (const raw of records) {
      if (this.subscriber.closed || this.stopping.signal.aborted || isStale()) return
      const scope = this.flows.begin(topic, partition, Number(raw.offset), this.settled)
      let record: StreamRecord<K, V>
      try {
        record = decodeRecord(def, raw)
      } catch (err) {
        this.deadLetter(def, raw, err, scope)
        scope.close()
        continue
      }
      runInScope(scope, () => this.subscriber.next(record))
      scope.close()
    }
    this.flows.pauseIfFull(topic, partition)
  }

  private deadLetter(def: TopicDefinition<K, V>, raw: Raw, error: unknown, scope: ProcessingScope): void {
    if (def.deadLetterTopic === false) {
      scope.fail(error)
      return
    }
    this.deadLetters ??= new Producer<Buffer | null, Buffer | null>({ ...this.clientOptions(), ...this.options.producer } as ProducerOptions<Buffer | null, Buffer | null>)
    scope.track(this.deadLetters.send(deadLetterRecord(raw, error, def.deadLetterTopic)))
  }

  private readonly settled = (_scope: ProcessingScope, error: unknown): void => {
    if (error !== undefined && !this.subscriber.closed) {
      this.error = error
      this.subscriber.error(error)
    }
  }

  /** Commits, for `partitions` (default: all), the offsets up to which every record has settled. */
  private async commit(partitions?: readonly TopicPartition[]): Promise<void> {
    const wanted = partitions ? new Set(partitions.map((tp) => `${tp.topic}:${tp.partition}`)) : undefined
    const offsets = []
    for (const flow of this.flows.all()) {
      const key = `${flow.topic}:${flow.partition}`
      if (wanted && !wanted.has(key)) continue
      const offset = flow.committable()
      if (offset < 0 || offset <= (this.committed.get(key) ?? -1)) continue
      offsets.push({ topic: flow.topic, partition: flow.partition, offset, key })
    }
    if (offsets.length === 0) return
    await this.consumer.commit(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })))
    for (const o of offsets) this.committed.set(o.key, o.offset)
  }

  private clientOptions(): ClientOptions {
    const { topic: _t, groupId: _g, autoOffsetReset: _a, maxInFlightPerPartition: _m, commitIntervalMs: _c, consumer: _co, producer: _p, onClose: _o, ...client } = this.options
    return client
  }
}
