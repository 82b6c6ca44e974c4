import { LOG_OVERHEAD, RECORD_BATCH_HEADER_SIZE, encodeControlBatch, isControlBatch } from '@tributary/protocol'
import type { AppendResult } from '../log/append-hooks.js'
import type { PartitionLog } from '../log/partition-log.js'
import { defaultBrokerLogger, type BrokerLogger } from '../logger.js'
import type { AbortedRange } from './aborted-index.js'
import { checkAppend, type TransactionVerifier } from './append-check.js'
import { loadPartitionState, snapshotQuietly } from './load.js'
import type { PartitionProducerState } from './partition-state.js'
import type { ProducerEntry } from './producer-entry.js'
import { deleteSnapshotsAbove } from './snapshot.js'
import { markerOf, type TxnMarker } from './stored-batches.js'

/** Producer state settings, under Kafka's broker config names. */
export interface ProducerStateConfig {
  /** `producer.id.expiration.ms`: a producer silent this long (and without an open transaction) is forgotten. */
  producerIdExpirationMs: number
  /** `producer.id.expiration.check.interval.ms`: how often expiry runs; 0 turns it off. */
  expirationCheckIntervalMs: number
}

/** Kafka's defaults: one day, checked every ten minutes. */
export const DEFAULT_PRODUCER_STATE_CONFIG: Readonly<ProducerStateConfig> = Object.freeze({ producerIdExpirationMs: 86_400_000, expirationCheckIntervalMs: 600_000 })

/** A transaction marker to append. */
export interface MarkerToWrite {
  producerId: bigint
  producerEpoch: number
  commit: boolean
  coordinatorEpoch: number
}

interface Tracked {
  state: PartitionProducerState
  /** Base offset of the active segment when last seen, to notice rolls. */
  activeBase: number
  /** Markers parsed by the append check, for the observer of the same append. */
  markers: (TxnMarker | null)[]
  untrack: () => void
}

/**
 * Per-partition producer state for the whole broker: idempotence (sequence and epoch checks,
 * duplicate answers), open transactions (the last stable offset) and aborted transactions
 * (read_committed fetches). A partition is tracked from its first Produce, marker or read_committed
 * query on: its state is loaded from its snapshot and log tail, and append hooks keep it current.
 * Snapshots are written when a segment rolls and on close.
 *
 * @example
 * ```ts
 * const producers = new ProducerStateManager({ logger })
 * producers.track(log)          // before appending a Produce request's batches
 * log.append(batches)
 * producers.lastStableOffset(log)
 * producers.close()             // after the last append, before the logs close
 * ```
 */
export class ProducerStateManager {
  private readonly tracked = new Map<PartitionLog, Tracked>()
  private readonly config: ProducerStateConfig
  private readonly logger: BrokerLogger
  private readonly clock: () => number
  private readonly timer: NodeJS.Timeout | undefined
  private verifier: TransactionVerifier | undefined
  private closed = false

  constructor(options: { config?: Partial<ProducerStateConfig>; logger?: BrokerLogger; clock?: () => number } = {}) {
    this.config = { ...DEFAULT_PRODUCER_STATE_CONFIG, ...options.config }
    this.logger = options.logger ?? defaultBrokerLogger
    this.clock = options.clock ?? Date.now
    if (this.config.expirationCheckIntervalMs > 0) {
      this.timer = setInterval(() => this.expireProducers(), this.config.expirationCheckIntervalMs)
      this.timer.unref()
    }
  }

  /** Installs the transaction coordinator's check of transactional batches (see {@link TransactionVerifier}). */
  setTransactionVerifier(verifier: TransactionVerifier): void {
    this.verifier = verifier
  }

  /**
   * Starts tracking a partition (loading its state) unless it already is, and returns its state.
   * Call before appending batches that may carry a producer id.
   *
   * @throws KafkaError from the log when its state cannot be read.
   */
  track(log: PartitionLog): PartitionProducerState {
    const known = this.tracked.get(log)
    if (known) return known.state
    const t: Tracked = { state: loadPartitionState(log), activeBase: log.active.baseOffset, markers: [], untrack: () => {} }
    const removeCheck = log.addAppendCheck((pending, origin) => {
      if (!pending.some((p) => p.header.producerId >= 0n)) {
        t.markers = []
        return undefined
      }
      t.markers = pending.map((p) => (isControlBatch(p.header.attributes) ? markerOf(p.bytes) : null))
      return checkAppend(t.state, pending, t.markers, origin, this.verifier)
    })
    const removeObserver = log.addAppendObserver((appended) => {
      const active = log.active.baseOffset
      if (active !== t.activeBase) {
        if (appended[0]?.baseOffset === active) snapshotQuietly(t.state, active)
        t.activeBase = active
      }
      appended.forEach((b, i) => t.state.apply({ header: b.header, baseOffset: b.baseOffset, lastOffset: b.lastOffset, marker: t.markers[i] ?? null }, active))
      t.markers = []
    })
    const unsubscribe = log.onChange(() => {
      if (!log.isClosed && log.logEndOffset < t.state.nextOffset) this.reload(t)
    })
    t.untrack = () => {
      removeCheck()
      removeObserver()
      unsubscribe()
    }
    this.tracked.set(log, t)
    return t.state
  }

  /** The partition's last stable offset (its high watermark when it has no open transaction). */
  lastStableOffset(log: PartitionLog): number {
    if (log.isClosed) return log.highWatermark
    return this.track(log).lastStableOffset()
  }

  /**
   * The aborted transactions a read_committed fetch from `fetchOffset` that returned `records` (whole
   * stored batches) must report. Empty when nothing was returned.
   */
  abortedTransactions(log: PartitionLog, fetchOffset: number, records: Buffer): AbortedRange[] {
    const upperBound = endOffsetOf(records)
    if (upperBound === undefined || log.isClosed) return []
    return this.track(log).aborted.collect(fetchOffset, upperBound)
  }

  /** The producers a partition knows, for DescribeProducers. */
  activeProducers(log: PartitionLog): ProducerEntry[] {
    return [...this.track(log).entries.values()]
  }

  /**
   * Appends a COMMIT or ABORT marker to a partition for the transaction coordinator.
   *
   * @throws KafkaError from the log (or the marker checks) when the append fails.
   */
  appendMarker(log: PartitionLog, marker: MarkerToWrite): AppendResult {
    this.track(log)
    const batch = encodeControlBatch({ marker: marker.commit ? 'COMMIT' : 'ABORT', producerId: marker.producerId, producerEpoch: marker.producerEpoch, coordinatorEpoch: marker.coordinatorEpoch, timestamp: this.clock() })
    return log.append(batch, { origin: 'coordinator' })
  }

  /**
   * Forgets expired producers in every tracked partition (the timer runs this every
   * `producer.id.expiration.check.interval.ms`), and stops tracking deleted partitions. Returns
   * how many producers expired.
   */
  expireProducers(now = this.clock()): number {
    let expired = 0
    for (const [log, t] of this.tracked) {
      if (log.isClosed) {
        t.untrack()
        this.tracked.delete(log)
        continue
      }
      try {
        expired += t.state.expire(now, this.config.producerIdExpirationMs)
      } catch (err) {
        this.logger.error(`${log.name}: expiring producer state failed`, err)
      }
    }
    return expired
  }

  /** Stops the timer and writes a snapshot of every tracked partition at its log end. Idempotent. */
  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.timer) clearInterval(this.timer)
    for (const [log, t] of this.tracked) {
      if (!log.isClosed) snapshotQuietly(t.state, log.logEndOffset)
      t.untrack()
    }
    this.tracked.clear()
  }

  private reload(t: Tracked): void {
    const log = t.state.log
    try {
      deleteSnapshotsAbove(log.storage, log.dir, log.logEndOffset)
      t.state = loadPartitionState(log, true)
      t.activeBase = log.active.baseOffset
    } catch (err) {
      this.logger.error(`${log.name}: rebuilding producer state after the log was truncated failed`, err)
    }
  }
}

/** The offset after the last whole batch in `records`, or undefined when there is none. */
function endOffsetOf(records: Buffer): number | undefined {
  let pos = 0
  let end: number | undefined
  while (records.length - pos >= RECORD_BATCH_HEADER_SIZE) {
    const size = records.readInt32BE(pos + 8) + LOG_OVERHEAD
    if (size < RECORD_BATCH_HEADER_SIZE || pos + size > records.length) break
    end = Number(records.readBigInt64BE(pos)) + records.readInt32BE(pos + 23) + 1
    pos += size
  }
  return end
}
