import type { ClusterMetadata, PartitionMetadata } from '@tributary/client'
import { ErrorCode, FetchApi, KafkaError, errorForCode, type FetchResponse } from '@tributary/protocol'
import type { ConsumerContext } from '../context.js'
import type { PartitionState } from '../offsets/positions.js'
import { RecordError } from '../errors.js'
import { FetchedData } from './fetched-data.js'

/** Fetch versions above 12 name topics by id; names work with every broker, so this client stays at 12. */
const MAX_FETCH_VERSION = 12

/** Partition errors that mean the metadata is wrong: refresh it and fetch again after a backoff. */
const ROUTING_ERRORS = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.OFFSET_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_ID,
])

/** A partition's metadata from a snapshot (partitions are sorted, so index p is usually partition p). */
function partitionMeta(meta: ClusterMetadata, topic: string, partition: number): PartitionMetadata | undefined {
  const list = meta.topics.get(topic)?.partitions
  if (!list) return undefined
  const guess = list[partition]
  return guess?.partition === partition ? guess : list.find((p) => p.partition === partition)
}

/**
 * The fetch pipeline: one Fetch request in flight per broker at a time, on a connection of its own
 * (lane `fetch`) so long polls never delay commits or heartbeats. A partition is fetched again as
 * soon as at most one fetched response of it is waiting to be delivered, so the next fetch is in
 * flight while the user processes the current records; paused partitions, partitions being revoked
 * or without a position are left out, and nothing is fetched while the buffered bytes reach
 * `maxBufferedBytes`.
 *
 * Fetches are sessionless (KIP-227 fetch sessions are not used): every request lists its partitions,
 * which costs a few bytes per partition and keeps the broker free of per-consumer session state.
 */
export class Fetcher {
  private readonly busyNodes = new Set<number>()
  private readonly nodeRetryAt = new Map<number, number>()
  private refreshing: Promise<unknown> | undefined
  private needsMetadata = true
  private wakeTimer: NodeJS.Timeout | undefined
  private stopped = true
  private unsubscribe: (() => void) | undefined

  constructor(
    private readonly ctx: ConsumerContext,
    /** Called for OFFSET_OUT_OF_RANGE: the partition's position must be reset per policy. */
    private readonly onOutOfRange: (state: PartitionState, error: KafkaError) => void,
  ) {}

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.unsubscribe = this.ctx.partitions.onChange(() => this.pump())
    this.pump()
  }

  stop(): void {
    this.stopped = true
    this.unsubscribe?.()
    clearTimeout(this.wakeTimer)
  }

  /** Sends a fetch to every idle broker leading fetchable partitions. Cheap; called on every change. */
  pump(): void {
    if (this.stopped || this.ctx.closing) return
    const states = this.ctx.partitions.all()
    let buffered = 0
    for (const s of states) buffered += s.bufferedBytes
    if (buffered >= this.ctx.options.maxBufferedBytes) return
    const now = Date.now()
    const meta = this.ctx.cluster.current
    const byNode = new Map<number, PartitionState[]>()
    let nextWake = Number.POSITIVE_INFINITY
    for (const s of states) {
      if (!s.fetchable(now)) {
        if (s.retryAt > now && s.pending === null && !s.fetching) nextWake = Math.min(nextWake, s.retryAt)
        continue
      }
      const leader = partitionMeta(meta, s.topic, s.partition)?.leader ?? -1
      if (leader < 0 || !meta.brokers.has(leader)) {
        this.needsMetadata = true
        continue
      }
      const retryAt = this.nodeRetryAt.get(leader) ?? 0
      if (retryAt > now) {
        nextWake = Math.min(nextWake, retryAt)
        continue
      }
      if (this.busyNodes.has(leader)) continue
      let list = byNode.get(leader)
      if (!list) byNode.set(leader, (list = []))
      list.push(s)
    }
    if (this.needsMetadata) this.refreshMetadata(states)
    for (const [nodeId, list] of byNode) this.send(nodeId, list)
    if (nextWake < Number.POSITIVE_INFINITY) this.wakeAt(nextWake)
  }

  private wakeAt(at: number): void {
    clearTimeout(this.wakeTimer)
    this.wakeTimer = setTimeout(() => this.pump(), Math.max(0, at - Date.now()))
    this.wakeTimer.unref()
  }

  private refreshMetadata(states: readonly PartitionState[]): void {
    if (this.refreshing || states.length === 0) return
    this.needsMetadata = false
    this.refreshing = this.ctx.cluster
      .metadata([...new Set(states.map((s) => s.topic))])
      .catch((err: unknown) => {
        this.needsMetadata = true
        this.ctx.logger.warn(`Metadata refresh for fetching failed: ${(err as Error).message}`)
        return new Promise((resolve) => setTimeout(resolve, this.ctx.options.retryBackoffMs))
      })
      .finally(() => {
        this.refreshing = undefined
        this.pump()
      })
  }

  private send(nodeId: number, states: PartitionState[]): void {
    const o = this.ctx.options
    this.busyNodes.add(nodeId)
    const sent = states.map((s) => ({ state: s, epoch: s.epoch, offset: s.fetchOffset }))
    for (const s of states) s.fetching = true
    const meta = this.ctx.cluster.current
    const topics = new Map<string, { partition: number; fetchOffset: bigint; partitionMaxBytes: number; currentLeaderEpoch: number; logStartOffset: bigint }[]>()
    for (const { state, offset } of sent) {
      let list = topics.get(state.topic)
      if (!list) topics.set(state.topic, (list = []))
      const leaderEpoch = partitionMeta(meta, state.topic, state.partition)?.leaderEpoch ?? -1
      list.push({ partition: state.partition, fetchOffset: BigInt(offset), partitionMaxBytes: o.maxPartitionFetchBytes, currentLeaderEpoch: leaderEpoch, logStartOffset: -1n })
    }
    const body = {
      replicaId: -1,
      maxWaitMs: o.fetchMaxWaitMs,
      minBytes: o.fetchMinBytes,
      maxBytes: o.fetchMaxBytes,
      isolationLevel: o.isolationLevel === 'read_committed' ? 1 : 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
    }
    const request = async (): Promise<FetchResponse> => {
      const conn = await this.ctx.cluster.connectionTo(nodeId, { lane: 'fetch' })
      return conn.request(FetchApi, body, { maxVersion: MAX_FETCH_VERSION, timeoutMs: o.requestTimeoutMs + o.fetchMaxWaitMs })
    }
    request()
      .then((response) => {
        const top = errorForCode(response.errorCode, `fetching from node ${nodeId}`)
        if (top) throw top
        this.nodeRetryAt.delete(nodeId)
        this.handleResponse(response, sent)
      })
      .catch((err: unknown) => {
        if (this.stopped || this.ctx.closing) return
        this.ctx.cluster.handleError(err)
        this.needsMetadata = true
        this.nodeRetryAt.set(nodeId, Date.now() + o.retryBackoffMs)
        this.ctx.logger.warn(`Fetch from node ${nodeId} failed: ${(err as Error).message}`, { nodeId })
      })
      .finally(() => {
        for (const { state } of sent) state.fetching = false
        this.busyNodes.delete(nodeId)
        this.ctx.partitions.changed()
      })
  }

  private handleResponse(response: FetchResponse, sent: { state: PartitionState; epoch: number; offset: number }[]): void {
    const byKey = new Map(sent.map((s) => [s.state.key, s]))
    const now = Date.now()
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const entry = byKey.get(`${t.topic}:${p.partitionIndex}`)
        if (!entry) continue
        const { state, epoch, offset } = entry
        if (state.epoch !== epoch || this.ctx.partitions.get(state.topic, state.partition) !== state) continue
        if (p.errorCode !== ErrorCode.NONE) {
          this.partitionError(state, p.errorCode, now)
          continue
        }
        state.highWatermark = Number(p.highWatermark)
        if (p.lastStableOffset >= 0n) state.lastStableOffset = Number(p.lastStableOffset)
        if (p.logStartOffset >= 0n) state.logStartOffset = Number(p.logStartOffset)
        const records = p.records
        if (!records || records.length === 0) continue
        let data: FetchedData
        try {
          data = new FetchedData(state.topic, state.partition, records, offset, p.abortedTransactions, this.ctx.options.checkCrcs)
        } catch (err) {
          this.ctx.fail(new RecordError(state.topic, state.partition, BigInt(offset), err))
          state.retryAt = now + 1000
          continue
        }
        if (data.size === 0) {
          this.ctx.fail(
            new KafkaError(
              `${state.topic}-${state.partition} has a record batch at offset ${offset} larger than maxPartitionFetchBytes (${this.ctx.options.maxPartitionFetchBytes}) and this broker cannot return it whole; raise maxPartitionFetchBytes`,
              { code: 'RECORD_TOO_LARGE' },
            ),
          )
          state.retryAt = now + 1000
          continue
        }
        state.buffered.push(data)
        state.bufferedBytes += data.size
        if (data.endOffset > state.fetchOffset) state.fetchOffset = data.endOffset
      }
    }
  }

  private partitionError(state: PartitionState, errorCode: number, now: number): void {
    const error = errorForCode(errorCode, `fetching ${state.topic}-${state.partition} at offset ${state.fetchOffset}`)!
    if (errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      this.onOutOfRange(state, error)
      return
    }
    state.retryAt = now + this.ctx.options.retryBackoffMs
    if (ROUTING_ERRORS.has(errorCode)) {
      this.ctx.cluster.handleError(error)
      this.needsMetadata = true
      this.ctx.logger.debug(`Fetching ${state.topic}-${state.partition} failed with ${error.code}; refreshing metadata`)
      return
    }
    if (error.retriable) {
      this.ctx.logger.warn(`Fetching ${state.topic}-${state.partition} failed: ${error.message}`)
      return
    }
    state.retryAt = now + Math.max(this.ctx.options.retryBackoffMaxMs, 1000)
    this.ctx.fail(error)
  }
}
