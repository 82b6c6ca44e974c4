import { sleep, type Cluster } from '@tributary/client'
import { KafkaError } from '@tributary/protocol'
import { AppendResult, type Accumulator } from './accumulator.js'
import type { DeliverySink } from './delivery.js'
import { ProducerTimeoutError, RecordTooLargeError } from './errors.js'
import type { InterceptorChain } from './interceptors.js'
import { recordSizeUpperBound, type PendingRecord } from './internal/batch.js'
import { Fifo } from './internal/fifo.js'
import type { ResolvedProducerOptions } from './options.js'
import type { Partitioner, TopicPartitions } from './partitioners/types.js'
import { headersForSerializer, normalizeHeaders, timestampOf, type ProducerRecord } from './record.js'
import type { Sender } from './sender.js'
import { defaultSerialize, runSerializer } from './serialization.js'
import type { TransactionManager } from './transactions/transaction-manager.js'

/** A record accepted by `send`, serialized, waiting for its topic's metadata or for buffer memory. */
interface Waiting {
  record: ProducerRecord<unknown, unknown>
  pending: PendingRecord
  size: number
  sink: DeliverySink
  slot: number
  deadline: number
  reserved: boolean
  /** The transaction it was sent in (0 outside transactions). */
  transaction: number
}

/** What the dispatcher works with. */
export interface DispatcherContext {
  cluster: Cluster
  accumulator: Accumulator
  sender: Sender
  partitioner: Partitioner
  interceptors: InterceptorChain<unknown, unknown>
  options: ResolvedProducerOptions
  transactions: TransactionManager | undefined
}

/**
 * Takes records from `send`: runs the interceptors' onSend, serializes key and value, normalizes headers
 * and the timestamp, picks the partition and appends to the accumulator. When the topic's metadata is
 * cached and buffer memory is free that all happens at once; otherwise the record waits in line (up to
 * `maxBlockMs`) for metadata and memory. Records are appended in the order `send` was called, so a
 * partition's records keep that order.
 */
export class RecordDispatcher {
  private readonly waiting = new Fifo<Waiting>()
  private pumping = false
  private idleWaiters: (() => void)[] = []
  private gate: Promise<void> | undefined
  private topicsOf: unknown
  private readonly topics = new Map<string, TopicPartitions>()

  constructor(private readonly c: DispatcherContext) {}

  /** Holds every record back until `ready` settles (the compression codecs load). */
  holdUntil(ready: Promise<void>): void {
    const gate = ready.then(
      () => {
        if (this.gate === gate) this.gate = undefined
      },
      () => {
        if (this.gate === gate) this.gate = undefined
      },
    )
    this.gate = gate
  }

  /** Accepts a record; its outcome goes to `sink` at `slot`. */
  dispatch(input: ProducerRecord<unknown, unknown>, sink: DeliverySink, slot: number): void {
    const interceptors = this.c.interceptors
    const record = interceptors.hasSendHooks ? interceptors.onSend(input) : input
    const now = Date.now()
    let pending: PendingRecord
    let size: number
    try {
      pending = this.serialize(record, now)
      size = recordSizeUpperBound(pending.key, pending.value, pending.headers)
      this.checkSize(record.topic, size)
    } catch (err) {
      this.reject(sink, slot, err)
      return
    }
    const transaction = this.c.transactions?.current ?? 0
    if (this.waiting.length === 0 && this.gate === undefined) {
      const topic = this.topicInfo(record.topic)
      if (topic !== undefined && (record.partition === undefined || record.partition < topic.count) && this.c.accumulator.memory.tryReserve(size)) {
        this.place(record, pending, size, sink, slot, topic, now)
        return
      }
    }
    this.waiting.push({ record, pending, size, sink, slot, deadline: now + this.c.options.maxBlockMs, reserved: false, transaction })
    void this.pump()
  }

  /** Resolves once no record is waiting. */
  idle(): Promise<void> {
    if (this.waiting.length === 0 && !this.pumping) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Fails every waiting record with `error`. */
  failWaiting(error: KafkaError): void {
    for (const w of this.waiting.drain()) {
      this.unreserve(w)
      this.reject(w.sink, w.slot, error)
    }
  }

  private serialize(record: ProducerRecord<unknown, unknown>, now: number): PendingRecord {
    if (typeof record.topic !== 'string' || record.topic.length === 0) throw new KafkaError('A record needs a topic: a non-empty string', { code: 'INVALID_RECORD' })
    const p = record.partition
    if (p !== undefined && (!Number.isInteger(p) || p < 0)) throw new KafkaError(`Record partition ${String(p)} is not a non-negative integer`, { code: 'INVALID_RECORD' })
    const o = this.c.options
    let headers
    let key: Buffer | null
    let value: Buffer | null
    try {
      headers = normalizeHeaders(record.headers)
      const ctx = o.keySerializer || o.valueSerializer ? { topic: record.topic, headers: headersForSerializer(headers) } : undefined
      key = o.keySerializer ? runSerializer(o.keySerializer, record.key, 'key', ctx!) : defaultSerialize(record.key, 'key', record.topic)
      value = o.valueSerializer ? runSerializer(o.valueSerializer, record.value, 'value', ctx!) : defaultSerialize(record.value, 'value', record.topic)
      return { key, value, headers, timestamp: timestampOf(record.timestamp, now) }
    } catch (err) {
      if (err instanceof KafkaError) throw err
      throw new KafkaError(`Invalid record for topic "${record.topic}": ${err instanceof Error ? err.message : String(err)}`, { code: 'INVALID_RECORD', cause: err })
    }
  }

  private checkSize(topic: string, size: number): void {
    const o = this.c.options
    if (size > o.maxRequestSize) {
      throw new RecordTooLargeError(`A record of about ${size} bytes for topic "${topic}" is larger than maxRequestSize (${o.maxRequestSize} bytes)`)
    }
    if (size > o.bufferMemory) throw new RecordTooLargeError(`A record of about ${size} bytes for topic "${topic}" is larger than bufferMemory (${o.bufferMemory} bytes)`)
  }

  private reject(sink: DeliverySink, slot: number, err: unknown): void {
    const error = err instanceof KafkaError ? err : new KafkaError(err instanceof Error ? err.message : String(err), { code: 'UNKNOWN_CLIENT_ERROR', cause: err })
    if (this.c.interceptors.hasAcknowledgementHooks) this.c.interceptors.onAcknowledgement(undefined, error)
    sink.reject(slot, error)
  }

  /** The topic's partitions from cached metadata, or undefined when it is not known (or has no partitions). */
  private topicInfo(name: string): TopicPartitions | undefined {
    const meta = this.c.cluster.current
    if (meta !== this.topicsOf) {
      this.topics.clear()
      this.topicsOf = meta
    }
    let info = this.topics.get(name)
    if (info !== undefined) return info
    const t = meta.topics.get(name)
    if (t === undefined || t.error !== null || t.partitions.length === 0) return undefined
    info = { topic: name, count: t.partitions.length, available: t.partitions.filter((p) => p.leader >= 0).map((p) => p.partition) }
    this.topics.set(name, info)
    return info
  }

  private place(record: ProducerRecord<unknown, unknown>, pending: PendingRecord, size: number, sink: DeliverySink, slot: number, topic: TopicPartitions, now: number): void {
    const { accumulator: acc, partitioner, transactions } = this.c
    let partition: number
    try {
      partition = record.partition ?? partitioner.partition(record, pending.key, topic)
    } catch (err) {
      acc.memory.release(size)
      this.reject(sink, slot, err)
      return
    }
    const sticky = record.partition === undefined && pending.key === null && partitioner.onNewBatch !== undefined
    let q = acc.queue(topic.topic, partition)
    let result = acc.append(q, pending, size, sink, slot, now, !sticky)
    if (result === AppendResult.NeedsNewBatch) {
      q = acc.queue(topic.topic, partitioner.onNewBatch!(topic, partition))
      result = acc.append(q, pending, size, sink, slot, now, true)
    }
    if (transactions !== undefined) transactions.ensurePartition(q)
    if (result !== AppendResult.Appended || this.c.options.lingerMs === 0) this.c.sender.wakeup()
  }

  private async pump(): Promise<void> {
    if (this.pumping) return
    this.pumping = true
    try {
      while (this.waiting.length > 0) {
        const w = this.waiting.peek()!
        let topic: TopicPartitions
        try {
          if (this.gate !== undefined) await this.gate
          // Awaiting only when something must be waited for keeps a long line of records moving quickly.
          const known = this.topicInfo(w.record.topic)
          topic = known !== undefined && (w.record.partition === undefined || w.record.partition < known.count) ? known : await this.awaitTopic(w)
          if (!w.reserved && this.waiting.peek() === w) {
            if (!this.c.accumulator.memory.tryReserve(w.size)) await this.c.accumulator.memory.reserve(w.size, Math.max(0, w.deadline - Date.now()))
            w.reserved = true
          }
        } catch (err) {
          this.unreserve(w)
          if (this.waiting.peek() === w) {
            this.waiting.shift()
            this.reject(w.sink, w.slot, err)
          }
          continue
        }
        if (this.waiting.peek() !== w) {
          // failWaiting took it (and rejected it) meanwhile.
          this.unreserve(w)
          continue
        }
        this.waiting.shift()
        const txn = this.c.transactions
        if (txn !== undefined && (txn.current !== w.transaction || (txn.state !== 'in-transaction' && txn.state !== 'committing'))) {
          this.unreserve(w)
          this.reject(w.sink, w.slot, new KafkaError('The transaction this record was sent in ended before the record could be appended', { code: 'TRANSACTION_ABORTED' }))
          continue
        }
        this.place(w.record, w.pending, w.size, w.sink, w.slot, topic, Date.now())
      }
    } finally {
      this.pumping = false
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  private unreserve(w: Waiting): void {
    if (w.reserved) this.c.accumulator.memory.release(w.size)
    w.reserved = false
  }

  /** Waits (until the record's deadline) for metadata listing its topic and partition. */
  private async awaitTopic(w: Waiting): Promise<TopicPartitions> {
    const { cluster, options } = this.c
    const name = w.record.topic
    for (;;) {
      const info = this.topicInfo(name)
      const partition = w.record.partition
      if (info !== undefined && (partition === undefined || partition < info.count)) return info
      const cached = cluster.current.topics.get(name)
      if (cached?.error && !cached.error.retriable) throw cached.error
      const left = w.deadline - Date.now()
      if (left <= 0) {
        const what = info !== undefined ? `Partition ${partition} of topic "${name}" (which has ${info.count})` : `Topic "${name}"`
        throw new ProducerTimeoutError(`${what} is not present in metadata after ${options.maxBlockMs} ms (maxBlockMs)`, 'METADATA_TIMEOUT', cached?.error ?? undefined)
      }
      const before = cluster.current
      try {
        await (cached === undefined ? cluster.metadata([name]) : cluster.refreshMetadata([...cluster.current.topics.keys()]))
      } catch (err) {
        if (!(err instanceof KafkaError) || !err.retriable) throw err
      }
      if (cluster.current === before || this.topicInfo(name) === undefined) await sleep(Math.min(options.retryBackoffMs, Math.max(0, w.deadline - Date.now())))
    }
  }
}
