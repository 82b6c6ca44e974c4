import { randomInt } from 'node:crypto'

/**
 * Fetch sessions (KIP-227): a consumer that fetches the same partitions over and over registers them
 * once, and later requests name only what changed. The broker remembers, per session, each
 * partition's fetch position and what it last told the client (high watermark, last stable offset,
 * log start offset), so an incremental response carries only partitions with news.
 *
 * Session ids are random positive int32s; epochs count from 1 and wrap to 1 after int32 max.
 */

/** One partition a fetch asks for. Offsets are numbers (exact below 2^53). */
export interface FetchTarget {
  /** The topic's name; empty when the request named an unknown topic id. */
  topic: string
  /** The topic's id; the zero UUID when the request named an unknown topic. */
  topicId: string
  partition: number
  fetchOffset: number
  /** The partition's byte budget (`partitionMaxBytes`). */
  maxBytes: number
  /** -1: the client does not check leader epochs. */
  currentLeaderEpoch: number
}

/** A partition of a session: the request's fields and what the client was last told. */
export interface SessionPartition extends FetchTarget {
  highWatermark: number
  lastStableOffset: number
  logStartOffset: number
}

/** The protocol's session epochs: 0 opens a session, -1 asks for none (or closes one). */
export const INITIAL_EPOCH = 0
export const FINAL_EPOCH = -1

/** A live fetch session. */
export class FetchSession {
  /** The epoch the next incremental request must carry. */
  epoch = 1
  /** Keyed by {@link sessionKey}, in the order the broker serves them. */
  readonly partitions = new Map<string, SessionPartition>()

  constructor(
    readonly id: number,
    /** Whether the session was opened by Fetch v13+ and so names topics by id. */
    readonly usesTopicIds: boolean,
    public lastUsedMs: number,
  ) {}

  /** Moves to the next epoch, wrapping past int32 max to 1 as the protocol does. */
  advanceEpoch(): void {
    this.epoch = this.epoch >= 0x7fff_ffff ? 1 : this.epoch + 1
  }

  /**
   * Applies an incremental request: listed partitions are added or get their new position and
   * budget; forgotten ones leave the session.
   */
  update(targets: readonly FetchTarget[], forgotten: readonly string[]): void {
    for (const key of forgotten) this.partitions.delete(key)
    for (const t of targets) {
      const key = sessionKey(this.usesTopicIds, t)
      const known = this.partitions.get(key)
      if (known) Object.assign(known, { fetchOffset: t.fetchOffset, maxBytes: t.maxBytes, currentLeaderEpoch: t.currentLeaderEpoch })
      else this.partitions.set(key, { ...t, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1 })
    }
  }

  /** Moves a partition to the end of the serving order, so that others get the byte budget first next time. */
  moveToEnd(key: string): void {
    const p = this.partitions.get(key)
    if (!p) return
    this.partitions.delete(key)
    this.partitions.set(key, p)
  }
}

/** The key of a partition within a session: by topic id for v13+ sessions, else by name. */
export function sessionKey(usesTopicIds: boolean, t: { topic: string; topicId: string; partition: number }): string {
  return `${usesTopicIds ? t.topicId : t.topic}:${t.partition}`
}

/**
 * The broker's sessions, bounded by `capacity` (Kafka's `max.incremental.fetch.session.cache.slots`).
 * When full, a new session may replace the least recently used one only if that one has been idle
 * for `evictionMs`; otherwise the client gets no session and keeps sending full fetches, which
 * always work.
 */
export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>()
  private readonly capacity: number
  private readonly evictionMs: number
  private readonly clock: () => number

  constructor(o: { capacity: number; clock?: () => number; evictionMs?: number }) {
    this.capacity = o.capacity
    this.clock = o.clock ?? Date.now
    this.evictionMs = o.evictionMs ?? 120_000
  }

  get size(): number {
    return this.sessions.size
  }

  /** The session, marked as used now; undefined when unknown. */
  get(id: number): FetchSession | undefined {
    const s = this.sessions.get(id)
    if (!s) return undefined
    s.lastUsedMs = this.clock()
    // Re-inserting keeps the map in least-recently-used order.
    this.sessions.delete(id)
    this.sessions.set(id, s)
    return s
  }

  remove(id: number): boolean {
    return this.sessions.delete(id)
  }

  /** Opens a session over `partitions`, or returns undefined when the cache has no room. */
  create(usesTopicIds: boolean, partitions: readonly SessionPartition[]): FetchSession | undefined {
    if (this.capacity <= 0) return undefined
    if (this.sessions.size >= this.capacity) {
      const [oldestId, oldest] = this.sessions.entries().next().value as [number, FetchSession]
      if (this.clock() - oldest.lastUsedMs < this.evictionMs) return undefined
      this.sessions.delete(oldestId)
    }
    let id: number
    do id = randomInt(1, 0x7fff_ffff)
    while (this.sessions.has(id))
    const session = new FetchSession(id, usesTopicIds, this.clock())
    for (const p of partitions) session.partitions.set(sessionKey(usesTopicIds, p), { ...p })
    this.sessions.set(id, session)
    return session
  }
}
