import type { TopicConfig } from './topic-config.js'

/** What retention needs to know about a segment. */
export interface SegmentStats {
  baseOffset: number
  /** Bytes in the `.log`. */
  size: number
  /** The segment's largest record timestamp, or its creation time when it has none. */
  largestTimestamp: number
}

/** Why segments are deleted: Kafka's three retention checks. */
export type RetentionReason = 'retention.ms' | 'retention.bytes' | 'log start offset'

/** How many of the oldest segments to delete, and why (the reason of the first check that applied). */
export interface RetentionPlan {
  count: number
  reasons: RetentionReason[]
}

/**
 * Decides which whole segments retention deletes, oldest first, with Kafka's rules applied in
 * Kafka's order:
 * 1. `retention.ms` (policy `delete`, ms >= 0): segments whose largest timestamp is older than
 *    `now - retention.ms`;
 * 2. `retention.bytes` (policy `delete`, bytes >= 0): the oldest segments as long as the log stays at
 *    or above `retention.bytes` without them;
 * 3. any policy: segments that lie wholly below the log start offset (after DeleteRecords).
 * Each check stops at the first segment it keeps. An empty last segment is never counted; a
 * non-empty last segment may be, and the log rolls before deleting it.
 *
 * @example
 * ```ts
 * planRetention(stats, config, Date.now(), log.logStartOffset) // { count: 2, reasons: ['retention.ms'] }
 * ```
 */
export function planRetention(segments: readonly SegmentStats[], config: TopicConfig, now: number, logStartOffset: number): RetentionPlan {
  const reasons: RetentionReason[] = []
  const last = segments.length - 1
  const deletable = (i: number) => i < last || (i === last && segments[i]!.size > 0)
  let count = 0
  if (config.cleanupPolicy.delete && config.retentionMs >= 0) {
    const before = count
    while (deletable(count) && now - segments[count]!.largestTimestamp > config.retentionMs) count++
    if (count > before) reasons.push('retention.ms')
  }
  if (config.cleanupPolicy.delete && config.retentionBytes >= 0) {
    const before = count
    let excess = segments.slice(count).reduce((sum, s) => sum + s.size, 0) - config.retentionBytes
    while (deletable(count) && excess - segments[count]!.size >= 0) {
      excess -= segments[count]!.size
      count++
    }
    if (count > before) reasons.push('retention.bytes')
  }
  const before = count
  while (count < last && segments[count + 1]!.baseOffset <= logStartOffset) count++
  if (count > before) reasons.push('log start offset')
  return { count, reasons }
}
