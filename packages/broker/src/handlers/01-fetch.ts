/**
 * Fetch (API key 1), versions 4-17.
 *
 * v4 is the first version that carries RecordBatch v2 with isolation levels; v0-3 return legacy
 * message sets, which this broker never stores (Kafka 4.0 dropped them too) and answer
 * UNSUPPORTED_VERSION.
 *
 * Behaviour:
 * - Serves stored batches byte for byte. A fetch offset inside a batch returns that whole batch.
 * - Long poll: answers at once when `minBytes` are available, `maxWaitMs` is 0 or a partition has
 *   an error; otherwise waits for an append to any requested partition, the deadline, or shutdown.
 * - Byte budgets: `maxBytes` for the response and `partitionMaxBytes` per partition; the first batch
 *   of the first partition with data is returned whole even when larger (KIP-74).
 * - `isolationLevel` 1 (read_committed) reads up to the last stable offset (the first offset of the
 *   oldest open transaction) and lists the aborted transactions overlapping the returned batches
 *   (producer id, first offset), so the consumer drops their records; 0 reads up to the high
 *   watermark and answers null.
 * - Errors per partition: UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID (v13+), OFFSET_OUT_OF_RANGE
 *   (with the high watermark and log start offset so the client can reset), FENCED_LEADER_EPOCH /
 *   UNKNOWN_LEADER_EPOCH (v9+ `currentLeaderEpoch`). No preferred read replica (-1).
 * - Fetch sessions (v7+, KIP-227): epoch -1 is sessionless (closing a named session), epoch 0 opens
 *   a session (its id is 0 when the cache is full), later epochs are incremental: listed partitions
 *   are added or updated, forgotten topics leave, and the response carries only partitions whose
 *   data, error, high watermark, last stable offset or log start offset changed. Unknown session:
 *   FETCH_SESSION_ID_NOT_FOUND; wrong epoch: INVALID_FETCH_SESSION_EPOCH; a session used across the
 *   v13 topic-id boundary: FETCH_SESSION_TOPIC_ID_ERROR. Partitions that returned data move to the
 *   end of the session's order so others get the byte budget first next time.
 * - v13+ names topics by id.
 * - With ACLs, partitions of topics the principal may not Read answer TOPIC_AUTHORIZATION_FAILED
 *   (checked on every fetch, also for partitions already in a session).
 */
import { ErrorCode, FetchApi, ZERO_UUID, type FetchRequest, type FetchResponse, type FetchResponsePartitionData, type Input } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize } from '../security/access.js'
import { fetchWithLongPoll, type FetchLimits, type PartitionRead } from '../server/fetch-reader.js'
import { FINAL_EPOCH, INITIAL_EPOCH, sessionKey, type FetchSession, type FetchTarget } from '../server/fetch-sessions.js'
import { offsetFromWire } from './errors.js'
import { defineHandler, type RequestContext } from './handler.js'

const READ_COMMITTED = 1

export const fetchHandler = defineHandler({
  api: FetchApi,
  minVersion: 4,
  maxVersion: FetchApi.maxVersion,

  async handle(request, ctx) {
    const v = ctx.apiVersion
    const byId = v >= 13
    const targets = targetsOf(request, ctx)
    const limits: FetchLimits = { maxBytes: request.maxBytes, isolationLevel: request.isolationLevel, minBytes: request.minBytes, maxWaitMs: request.maxWaitMs }
    const sessions = ctx.broker.fetchSessions
    const sessionless = async () => answer(request, targets, await readAuthorized(ctx, targets, limits, byId), 0)
    if (v < 7) return sessionless()

    const { sessionId, sessionEpoch } = request
    if (sessionEpoch === INITIAL_EPOCH || sessionEpoch === FINAL_EPOCH) {
      if (sessionId !== 0) sessions.remove(sessionId)
      if (sessionEpoch === FINAL_EPOCH) return sessionless()
      const reads = await readAuthorized(ctx, targets, limits, byId)
      const session = sessions.create(byId, targets.map((t, i) => ({ ...t, ...positionsOf(reads[i]!) })))
      return answer(request, targets, reads, session?.id ?? 0)
    }

    const session = sessions.get(sessionId)
    if (!session) return topLevelError(ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
    if (session.usesTopicIds !== byId) return topLevelError(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR)
    if (session.epoch !== sessionEpoch) return topLevelError(ErrorCode.INVALID_FETCH_SESSION_EPOCH)
    session.advanceEpoch()
    session.update(targets, forgottenKeys(request, ctx, byId))
    if (session.partitions.size === 0) {
      sessions.remove(session.id)
      return answer(request, [], [], 0)
    }
    return incremental(request, session, limits, ctx)
  },

  errorResponse(request, errorCode, ctx) {
    const targets = targetsOf(request, ctx)
    const reads = targets.map((): PartitionRead => ({ errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: Buffer.alloc(0) }))
    return { ...answer(request, targets, reads, 0), errorCode }
  },
})

async function incremental(request: FetchRequest, session: FetchSession, limits: FetchLimits, ctx: RequestContext): Promise<Input<FetchResponse>> {
  const entries = [...session.partitions.entries()]
  const targets = entries.map(([, p]) => p)
  const reads = await readAuthorized(ctx, targets, limits, session.usesTopicIds)
  const changedTargets: FetchTarget[] = []
  const changedReads: PartitionRead[] = []
  entries.forEach(([key, cached], i) => {
    const read = reads[i]!
    const changed =
      read.records.length > 0 ||
      read.errorCode !== ErrorCode.NONE ||
      read.highWatermark !== cached.highWatermark ||
      read.lastStableOffset !== cached.lastStableOffset ||
      read.logStartOffset !== cached.logStartOffset
    if (!changed) return
    Object.assign(cached, positionsOf(read))
    changedTargets.push(cached)
    changedReads.push(read)
    if (read.records.length > 0) session.moveToEnd(key)
  })
  return answer(request, changedTargets, changedReads, session.id)
}

/**
 * Reads the targets whose topic the principal may Read; the others answer
 * TOPIC_AUTHORIZATION_FAILED, and like any partition error make the fetch answer at once.
 */
async function readAuthorized(ctx: RequestContext, targets: readonly FetchTarget[], limits: FetchLimits, byId: boolean): Promise<PartitionRead[]> {
  if (!ctx.broker.security.authorizer.enabled) return fetchWithLongPoll(ctx.broker, targets, limits, byId, ctx.signal)
  const verdicts = new Map<string, boolean>()
  const allowed = targets.map((t) => {
    // An unknown topic id has no name to authorize; the reader answers UNKNOWN_TOPIC_ID for it.
    if (t.topic === '') return true
    if (!verdicts.has(t.topic)) verdicts.set(t.topic, authorize(ctx, AclOperation.READ, ResourceType.TOPIC, t.topic))
    return verdicts.get(t.topic)!
  })
  const denied = allowed.includes(false)
  const reads = await fetchWithLongPoll(ctx.broker, targets.filter((_, i) => allowed[i]), denied ? { ...limits, maxWaitMs: 0 } : limits, byId, ctx.signal)
  let next = 0
  return targets.map((_, i) => (allowed[i] ? reads[next++]! : { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: Buffer.alloc(0) }))
}

function positionsOf(read: PartitionRead): { highWatermark: number; lastStableOffset: number; logStartOffset: number } {
  return { highWatermark: read.highWatermark, lastStableOffset: read.lastStableOffset, logStartOffset: read.logStartOffset }
}

/** The request's partitions, with topic names and ids both resolved where the topic exists. */
function targetsOf(request: FetchRequest, ctx: RequestContext): FetchTarget[] {
  const byId = ctx.apiVersion >= 13
  const logs = ctx.broker.logs
  return request.topics.flatMap((t) => {
    const info = byId ? logs.topicById(t.topicId) : logs.topic(t.topic)
    const topic = byId ? (info?.name ?? '') : t.topic
    const topicId = byId ? t.topicId : (info?.topicId ?? ZERO_UUID)
    return t.partitions.map((p) => ({
      topic,
      topicId,
      partition: p.partition,
      fetchOffset: offsetFromWire(p.fetchOffset),
      maxBytes: p.partitionMaxBytes,
      currentLeaderEpoch: ctx.apiVersion >= 9 ? p.currentLeaderEpoch : -1,
    }))
  })
}

function forgottenKeys(request: FetchRequest, ctx: RequestContext, byId: boolean): string[] {
  return request.forgottenTopicsData.flatMap((f) => {
    const topicId = byId ? f.topicId : (ctx.broker.logs.topic(f.topic)?.topicId ?? ZERO_UUID)
    return f.partitions.map((partition) => sessionKey(byId, { topic: f.topic, topicId, partition }))
  })
}

function topLevelError(errorCode: number): Input<FetchResponse> {
  return { throttleTimeMs: 0, errorCode, sessionId: 0, responses: [] }
}

/** The response: partitions grouped by topic in the order they were first served. */
function answer(request: FetchRequest, targets: readonly FetchTarget[], reads: readonly PartitionRead[], sessionId: number): Input<FetchResponse> {
  const committed = request.isolationLevel === READ_COMMITTED
  const topics = new Map<string, { topic: string; topicId: string; partitions: Input<FetchResponsePartitionData>[] }>()
  targets.forEach((t, i) => {
    const read = reads[i]!
    const key = `${t.topicId}/${t.topic}`
    let entry = topics.get(key)
    if (!entry) {
      entry = { topic: t.topic, topicId: t.topicId, partitions: [] }
      topics.set(key, entry)
    }
    entry.partitions.push({
      partitionIndex: t.partition,
      errorCode: read.errorCode,
      highWatermark: BigInt(read.highWatermark),
      lastStableOffset: BigInt(read.lastStableOffset),
      logStartOffset: BigInt(read.logStartOffset),
      abortedTransactions: committed ? (read.abortedTransactions ?? []) : null,
      preferredReadReplica: -1,
      records: read.records,
    })
  })
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId, responses: [...topics.values()] }
}
