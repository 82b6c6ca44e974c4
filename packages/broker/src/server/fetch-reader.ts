import { ErrorCode, KafkaError } from '@tributary/protocol'
import type { PartitionLog } from '../log/partition-log.js'
import type { AbortedRange } from '../producers/aborted-index.js'
import type { BrokerContext } from './broker-context.js'
import type { FetchTarget } from './fetch-sessions.js'
import { leaderEpochError } from './leader-epoch.js'

/** What a fetch found in one partition. */
export interface PartitionRead {
  errorCode: number
  /** -1 when the partition is unknown. */
  highWatermark: number
  lastStableOffset: number
  logStartOffset: number
  /** Whole stored batches, byte for byte; empty when there is nothing (or an error). */
  records: Buffer
  /** read_committed: the aborted transactions overlapping `records`, for the consumer to drop. */
  abortedTransactions?: AbortedRange[]
}

/** The request-level limits of a fetch. */
export interface FetchLimits {
  /** The response's byte budget (`maxBytes`). */
  maxBytes: number
  /** 0 read_uncommitted (up to the high watermark), 1 read_committed (up to the last stable offset). */
  isolationLevel: number
  minBytes: number
  maxWaitMs: number
}

const EMPTY = Buffer.alloc(0)
const READ_COMMITTED = 1
/** setTimeout's largest delay; longer waits would fire at once. */
const MAX_TIMER_MS = 0x7fff_ffff

/**
 * Reads every target once, in order, within the byte budgets. The first batch of the first
 * partition that has data is returned whole even when it exceeds the budgets, so that a consumer
 * always makes progress; after that only batches that fit are returned (Kafka's rule since KIP-74).
 * With `byTopicId` (Fetch v13+) topics are looked up by id on every read, so a topic deleted and
 * re-created under the same name is not mistaken for the old one.
 */
export function readTargets(broker: BrokerContext, targets: readonly FetchTarget[], limits: Pick<FetchLimits, 'maxBytes' | 'isolationLevel'>, byTopicId: boolean): PartitionRead[] {
  let remaining = Math.max(0, limits.maxBytes)
  let first = true
  const names = new Map<string, string | undefined>()
  const nameOf = (topicId: string) => {
    if (!names.has(topicId)) names.set(topicId, broker.logs.topicById(topicId)?.name)
    return names.get(topicId)
  }
  return targets.map((t) => {
    const topic = byTopicId ? nameOf(t.topicId) : t.topic
    if (topic === undefined) return failed(ErrorCode.UNKNOWN_TOPIC_ID)
    const log = broker.logs.getLog(topic, t.partition)
    if (!log || log.isClosed) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const epochError = leaderEpochError(t.currentLeaderEpoch)
    if (epochError !== ErrorCode.NONE) return failed(epochError)
    const lastStable = broker.lastStableOffset(log)
    try {
      const budget = Math.max(0, Math.min(t.maxBytes, remaining))
      const read = log.read(t.fetchOffset, budget, { minOneBatch: first, maxOffset: limits.isolationLevel === READ_COMMITTED ? lastStable : undefined })
      if (read.records.length > 0) {
        first = false
        remaining -= read.records.length
      }
      const abortedTransactions = limits.isolationLevel === READ_COMMITTED ? broker.abortedTransactions(log, t.fetchOffset, read.records) : undefined
      return { errorCode: ErrorCode.NONE, highWatermark: read.highWatermark, lastStableOffset: lastStable, logStartOffset: read.logStartOffset, records: read.records, abortedTransactions }
    } catch (err) {
      const errorCode = codeOf(err, broker, log)
      if (log.isClosed) return failed(errorCode)
      return { errorCode, highWatermark: log.highWatermark, lastStableOffset: broker.lastStableOffset(log), logStartOffset: log.logStartOffset, records: EMPTY }
    }
  })
}

function failed(errorCode: number): PartitionRead {
  return { errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: EMPTY }
}

function codeOf(err: unknown, broker: BrokerContext, log: PartitionLog): number {
  if (err instanceof KafkaError && Object.hasOwn(ErrorCode, err.code)) return ErrorCode[err.code as keyof typeof ErrorCode]
  broker.logger.error(`reading ${log.name} failed unexpectedly`, err)
  return ErrorCode.UNKNOWN_SERVER_ERROR
}

/**
 * Kafka's long poll: reads the targets, and unless the result already holds `minBytes`, an error,
 * or `maxWaitMs` is 0, waits for an append to any target (or the deadline, or `signal`) and reads
 * again. Resolves with the last read; the caller answers with it.
 */
export async function fetchWithLongPoll(broker: BrokerContext, targets: readonly FetchTarget[], limits: FetchLimits, byTopicId: boolean, signal: AbortSignal): Promise<PartitionRead[]> {
  const deadline = Date.now() + Math.max(0, limits.maxWaitMs)
  for (;;) {
    const result = readTargets(broker, targets, limits, byTopicId)
    const bytes = result.reduce((n, r) => n + r.records.length, 0)
    const waitMs = deadline - Date.now()
    if (bytes >= limits.minBytes || waitMs <= 0 || signal.aborted || result.length === 0 || result.some((r) => r.errorCode !== ErrorCode.NONE)) return result
    await waitForAppend(logsOf(broker, targets, byTopicId), Math.min(waitMs, MAX_TIMER_MS), signal)
  }
}

function logsOf(broker: BrokerContext, targets: readonly FetchTarget[], byTopicId: boolean): PartitionLog[] {
  const logs: PartitionLog[] = []
  for (const t of targets) {
    const topic = byTopicId ? broker.logs.topicById(t.topicId)?.name : t.topic
    const log = topic === undefined ? undefined : broker.logs.getLog(topic, t.partition)
    if (log) logs.push(log)
  }
  return logs
}

/** Resolves at the first append to any of `logs`, after `timeoutMs`, or when `signal` aborts. */
export async function waitForAppend(logs: readonly PartitionLog[], timeoutMs: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  const stop = new AbortController()
  const onAbort = () => stop.abort()
  signal.addEventListener('abort', onAbort, { once: true })
  const timer = setTimeout(onAbort, timeoutMs)
  try {
    const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }))
    await Promise.race([stopped, ...logs.map((log) => log.waitForAppend(stop.signal))])
  } finally {
    clearTimeout(timer)
    signal.removeEventListener('abort', onAbort)
    stop.abort()
  }
}
