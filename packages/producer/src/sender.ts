import type { Cluster, ClusterMetadata, Connection, Logger } from '@tributary/client'
import { KafkaError } from '@tributary/protocol'
import type { Accumulator } from './accumulator.js'
import type { ProducerIdentity } from './idempotence/producer-identity.js'
import type { ProducerBatch } from './internal/batch.js'
import { EpochGate } from './idempotence/epoch-gate.js'
import { BatchOutcomes, type TransactionGate } from './internal/outcomes.js'
import type { PartitionQueue } from './internal/partition-queue.js'
import { exchangeProduce } from './internal/produce-request.js'
import type { ResolvedProducerOptions } from './options.js'

/** What the sender works with. */
export interface SenderContext {
  cluster: Cluster
  accumulator: Accumulator
  options: ResolvedProducerOptions
  logger: Logger
  /** Present when the producer is idempotent. */
  identity: ProducerIdentity | undefined
  /** Present when the producer is transactional. */
  transactions: TransactionGate | undefined
  /** The producer cannot go on (fenced, unauthorized, …); returns the error it now fails with. */
  onFatal(error: KafkaError): KafkaError
}

interface NodeState {
  inFlight: number
  connecting: boolean
  /** Where the next drain starts among the node's partitions, so that none is always last. */
  drainStart: number
}

/**
 * Moves batches from the accumulator to the brokers. Each run (woken by a full batch, a response, a
 * flush, or a timer for the next linger, backoff or delivery deadline):
 * 1. fails queued batches past their delivery deadline;
 * 2. for idempotent producers, lets the {@link EpochGate} obtain the producer id, or bump its epoch;
 * 3. finds each queued partition's leader, and the leaders with a batch ready to go;
 * 4. for each such leader with fewer than `maxInFlightRequestsPerConnection` requests in flight, drains
 *    one batch from each of its partitions into a Produce request (up to `maxRequestSize`), and repeats
 *    while it may send more.
 * Responses go to {@link BatchOutcomes}. Leaders come from the cluster's cached metadata, refreshed
 * (at most every `retryBackoffMs`) when a leader is unknown or an error says it moved.
 */
export class Sender {
  readonly outcomes: BatchOutcomes
  private readonly nodes = new Map<number, NodeState>()
  private scheduled = false
  private timer: NodeJS.Timeout | undefined
  private timerAt = Number.POSITIVE_INFINITY
  private sendCounter = 0
  private refreshing = false
  private wantMetadata = false
  private lastRefreshAt = 0
  private closed = false
  private idempotent: boolean
  private inFlightRequests = 0
  private readonly epochs: EpochGate | undefined
  private readonly run = () => this.runOnce()

  constructor(private readonly c: SenderContext) {
    this.idempotent = c.identity !== undefined
    this.epochs =
      c.identity &&
      new EpochGate({
        accumulator: c.accumulator,
        identity: c.identity,
        options: c.options,
        logger: c.logger,
        transactional: c.transactions !== undefined,
        wakeup: () => this.wakeup(),
        retryLater: () => this.schedule(Date.now() + c.options.retryBackoffMs),
        fallBack: () => {
          this.idempotent = false
          this.wakeup()
        },
        onFatal: (e) => c.onFatal(e),
      })
    this.outcomes = new BatchOutcomes({
      accumulator: c.accumulator,
      cluster: c.cluster,
      options: c.options,
      logger: c.logger,
      transactions: c.transactions,
      idempotent: () => this.idempotent,
      onFatal: (e) => c.onFatal(e),
      metadataWanted: () => {
        this.wantMetadata = true
      },
    })
  }

  /** Whether batches carry producer ids and sequence numbers (false when idempotence fell back; see `EpochGate`). */
  get isIdempotent(): boolean {
    return this.idempotent
  }

  /** Produce requests awaiting their response. */
  get requestsInFlight(): number {
    return this.inFlightRequests
  }

  /** Asks for a run soon (once per turn of the event loop, however often it is called). */
  wakeup(): void {
    if (this.scheduled || this.closed) return
    this.scheduled = true
    setImmediate(this.run)
  }

  /** Stops: no more requests are sent; responses to those in flight are still handled. */
  close(): void {
    this.closed = true
    clearTimeout(this.timer)
  }

  /** Fails every queued batch (not those in flight) with `error`. */
  failQueued(error: KafkaError): void {
    for (const q of this.c.accumulator.queues) {
      const batches = q.batches.splice(0)
      for (const b of batches) this.outcomes.giveUp(b, error)
    }
  }

  private runOnce(): void {
    this.scheduled = false
    if (this.closed) return
    const now = Date.now()
    const acc = this.c.accumulator
    this.expire(now)
    const abortable = this.c.transactions?.abortableError
    if (abortable !== undefined) this.failQueued(abortable)
    if (this.idempotent && !this.epochs!.open()) return
    const meta = this.c.cluster.current
    const byNode = new Map<number, PartitionQueue[]>()
    const ready = new Set<number>()
    let next = Number.POSITIVE_INFINITY
    let unknownLeader = false
    for (const q of acc.queues) {
      const head = q.batches[0]
      if (head === undefined) continue
      if (head.deadline < next) next = head.deadline
      const leader = leaderOf(meta, q)
      if (leader < 0) {
        unknownLeader = true
        continue
      }
      let list = byNode.get(leader)
      if (list === undefined) byNode.set(leader, (list = []))
      list.push(q)
      const batch = this.candidate(q)
      if (batch === undefined) continue
      if (batch.retryAt > now) {
        if (batch.retryAt < next) next = batch.retryAt
      } else if (acc.isReady(q, batch, now)) {
        ready.add(leader)
      } else if (batch.createdAt + acc.options.lingerMs < next) {
        next = batch.createdAt + acc.options.lingerMs
      }
    }
    if (unknownLeader || this.wantMetadata || now - meta.fetchedAt > this.c.options.metadataMaxAgeMs) next = Math.min(next, this.refreshMetadata(now))
    for (const nodeId of ready) this.sendTo(nodeId, byNode.get(nodeId)!, meta, now)
    this.schedule(next)
  }

  private expire(now: number): void {
    for (const q of this.c.accumulator.queues) {
      while (q.batches.length > 0 && q.batches[0]!.deadline <= now) this.outcomes.expired(q.batches.shift()!)
    }
  }

  /** Starts a metadata refresh unless one ran within `retryBackoffMs`; returns when to look again. */
  private refreshMetadata(now: number): number {
    if (this.refreshing) return Number.POSITIVE_INFINITY
    const due = this.lastRefreshAt + this.c.options.retryBackoffMs
    if (now < due) return due
    this.refreshing = true
    this.wantMetadata = false
    this.lastRefreshAt = now
    const topics = [...new Set(this.c.accumulator.queues.filter((q) => q.batches.length > 0).map((q) => q.topic))]
    this.c.cluster.refreshMetadata([...new Set([...this.c.cluster.current.topics.keys(), ...topics])]).then(
      () => {
        this.refreshing = false
        this.wakeup()
      },
      (err: unknown) => {
        this.refreshing = false
        this.wantMetadata = true
        this.c.logger.debug(`Metadata refresh failed: ${err instanceof Error ? err.message : String(err)}`)
        this.schedule(Date.now() + this.c.options.retryBackoffMs)
      },
    )
    return Number.POSITIVE_INFINITY
  }

  private schedule(at: number): void {
    if (at === Number.POSITIVE_INFINITY || this.closed) return
    if (this.timer !== undefined && this.timerAt <= at) return
    clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerAt = Number.POSITIVE_INFINITY
      this.wakeup()
    }, Math.max(0, at - Date.now()))
  }

  private node(nodeId: number): NodeState {
    let state = this.nodes.get(nodeId)
    if (state === undefined) {
      state = { inFlight: 0, connecting: false, drainStart: 0 }
      this.nodes.set(nodeId, state)
    }
    return state
  }

  private sendTo(nodeId: number, queues: PartitionQueue[], meta: ClusterMetadata, now: number): void {
    const state = this.node(nodeId)
    const max = this.c.options.maxInFlightRequestsPerConnection
    if (state.inFlight >= max) return
    const conn = this.c.cluster.pool.peek(meta.brokers.get(nodeId)!, 'produce')
    if (conn === undefined) {
      this.connect(nodeId, state)
      return
    }
    // As long as some partition of the node has a batch ready, each request also takes the other
    // partitions' batches (lingering or not); without one, the node waits.
    while (state.inFlight < max && this.anyReady(queues, now)) {
      const batches = this.drain(queues, state, now)
      if (batches.length === 0) return
      this.send(conn, state, batches, now)
    }
  }

  private connect(nodeId: number, state: NodeState): void {
    if (state.connecting) return
    state.connecting = true
    this.c.cluster.connectionTo(nodeId, { lane: 'produce' }).then(
      () => {
        state.connecting = false
        this.wakeup()
      },
      (err: unknown) => {
        state.connecting = false
        this.c.cluster.handleError(err)
        this.wantMetadata = true
        this.c.logger.debug(`Could not connect to node ${nodeId}: ${err instanceof Error ? err.message : String(err)}`)
        this.schedule(Date.now() + this.c.options.retryBackoffMs)
      },
    )
  }

  private anyReady(queues: PartitionQueue[], now: number): boolean {
    for (const q of queues) {
      const batch = this.candidate(q)
      if (batch !== undefined && batch.retryAt <= now && this.c.accumulator.isReady(q, batch, now) && this.mayDrain(q, batch)) return true
    }
    return false
  }

  /**
   * The batch a partition would send next: its head, except while its sequences are unresolved (or an
   * epoch bump waits), when only batches still holding a sequence may go — the first of them, wherever
   * it is, so that its fate is learnt under the old epoch before the bump.
   */
  private candidate(q: PartitionQueue): ProducerBatch | undefined {
    if (!this.idempotent || !(q.sequences.unresolved || this.c.identity!.bumpNeeded)) return q.batches[0]
    for (const b of q.batches) if (b.baseSequence >= 0) return b
    return undefined
  }

  /** One batch from each partition that may send now, within `maxRequestSize`. */
  private drain(queues: PartitionQueue[], state: NodeState, now: number): ProducerBatch[] {
    const out: ProducerBatch[] = []
    const n = queues.length
    const start = state.drainStart++ % n
    let size = 0
    for (let k = 0; k < n; k++) {
      const q = queues[(start + k) % n]!
      const batch = this.candidate(q)
      if (batch === undefined || batch.retryAt > now || !this.mayDrain(q, batch)) continue
      if (out.length > 0 && size + batch.sizeBytes > this.c.options.maxRequestSize) continue
      if (!this.encode(q, batch)) continue
      q.batches.splice(q.batches.indexOf(batch), 1)
      size += batch.encoded!.length
      out.push(batch)
    }
    return out
  }

  private mayDrain(q: PartitionQueue, batch: ProducerBatch): boolean {
    const txn = this.c.transactions
    if (txn !== undefined && !txn.isPartitionAdded(q)) return false
    // A batch sent before (or split from one sent before) goes out again alone, so a partition's batches keep their order.
    if (batch.sendOrder > 0 && q.inFlight > 0) return false
    if (!this.idempotent) return this.c.options.maxInFlightRequestsPerConnection > 1 || q.inFlight === 0
    if (batch.baseSequence >= 0) return true
    if (q.sequences.unresolved || this.c.identity!.bumpNeeded) return false
    return q.sequences.windowOpen
  }

  /** Gives the batch its producer state (a sequence for a first send) and encodes it; false if it failed (and was failed). */
  private encode(q: PartitionQueue, batch: ProducerBatch): boolean {
    let took = false
    if (this.idempotent) {
      if (batch.baseSequence < 0) {
        const identity = this.c.identity!
        batch.setProducerState(identity.producerId, identity.producerEpoch, q.sequences.take(batch.count, batch), this.c.transactions !== undefined)
        took = true
      }
    } else if (batch.producerId >= 0n) {
      batch.setProducerState(-1n, -1, -1, false)
    }
    try {
      batch.encode(this.c.options.compression, this.c.options.compressionLevel)
      return true
    } catch (err) {
      if (took) q.sequences.untake(batch.baseSequence, batch)
      batch.setProducerState(-1n, -1, -1, false)
      q.batches.splice(q.batches.indexOf(batch), 1)
      const error = err instanceof KafkaError ? err : new KafkaError(`Could not encode a batch for ${q.topic}-${q.partition}: ${String(err)}`, { code: 'ENCODE_ERROR', cause: err })
      this.outcomes.giveUp(batch, error)
      return false
    }
  }

  private send(conn: Connection, state: NodeState, batches: ProducerBatch[], now: number): void {
    for (const b of batches) {
      b.attempts++
      if (b.sendOrder === 0) b.sendOrder = ++this.sendCounter
      b.queue.inFlight++
    }
    state.inFlight++
    this.inFlightRequests++
    exchangeProduce(conn, batches, now, {
      options: this.c.options,
      transactionalId: this.c.transactions?.transactionalId ?? null,
      outcomes: this.outcomes,
      cluster: this.c.cluster,
      settled: () => {
        state.inFlight--
        this.inFlightRequests--
        for (const b of batches) b.queue.inFlight--
      },
      wakeup: () => this.wakeup(),
    })
  }
}

/** The leader of a queue's partition from cached metadata, or -1 when unknown or not in the broker list. */
function leaderOf(meta: ClusterMetadata, q: PartitionQueue): number {
  const topic = meta.topics.get(q.topic)
  if (topic === undefined || topic.error !== null) return -1
  let p: (typeof topic.partitions)[number] | undefined = topic.partitions[q.partition]
  if (p === undefined || p.partition !== q.partition) p = topic.partitions.find((x) => x.partition === q.partition)
  if (p === undefined || p.leader < 0 || !meta.brokers.has(p.leader)) return -1
  return p.leader
}
