import { CONSUMER_PROTOCOL_TYPE, type ClassicGroup } from './group.js'
import type { CommittedOffset, TopicPartitionRef } from './offset-store.js'
import type { GroupRuntime } from './runtime.js'

/**
 * Removing committed offsets that have no further use: expiration, and offsets of deleted topics.
 *
 * Offset expiration, as Kafka does it since KIP-211: committed offsets expire
 * `offsets.retention.minutes` after
 * - the group became Empty, for a group that used group management (so a consumer that is down
 *   for a while keeps its offsets as long as its group still has members);
 * - their commit, for a group used only to store offsets (no protocol type), and for the topics a
 *   Stable consumer group no longer subscribes to.
 * An offset committed with its own retention (OffsetCommit v2-v4) expires at that time instead.
 * Partitions with a transactional offset pending never expire. A group left Empty without offsets
 * is removed.
 *
 * Returns how many offsets expired.
 */
export function expireOffsets(rt: GroupRuntime, now: number): number {
  let expired = 0
  for (const group of [...rt.groups.values()]) {
    if (!rt.isCurrent(group)) continue
    const doomed = expiredOffsets(rt, group, now)
    if (doomed.length > 0) {
      try {
        expired += rt.offsets.remove(group.groupId, doomed)
      } catch (err) {
        rt.logger.error(`group ${group.groupId}: removing ${doomed.length} expired offset(s) failed; the next check retries`, err)
        continue
      }
    }
    removeIfEmpty(rt, group)
  }
  if (expired > 0) rt.logger.info(`group coordinator: ${expired} committed offset(s) expired`)
  return expired
}

/** Removes every group's offsets for a deleted topic; a group left Empty without offsets is removed. */
export function removeOffsetsOfTopic(rt: GroupRuntime, topic: string): number {
  let removed = 0
  for (const group of [...rt.groups.values()]) {
    const byPartition = rt.offsets.offsetsOf(group.groupId).get(topic)
    if (!byPartition) continue
    try {
      removed += rt.offsets.remove(group.groupId, [...byPartition.keys()].map((partition) => ({ topic, partition })))
    } catch (err) {
      rt.logger.error(`group ${group.groupId}: removing the offsets of deleted topic ${topic} failed`, err)
      continue
    }
    removeIfEmpty(rt, group)
  }
  if (removed > 0) rt.logger.info(`group coordinator: removed ${removed} committed offset(s) of deleted topic ${topic}`)
  return removed
}

function removeIfEmpty(rt: GroupRuntime, group: ClassicGroup): void {
  if (group.is('Empty') && group.pendingMembers.size === 0 && !rt.offsets.hasOffsets(group.groupId) && !rt.offsets.hasPending(group.groupId)) {
    rt.logger.info(`group ${group.groupId}: empty and without offsets; removing it`)
    rt.removeGroup(group)
  }
}

function expiredOffsets(rt: GroupRuntime, group: ClassicGroup, now: number): TopicPartitionRef[] {
  let base: (o: CommittedOffset) => number
  let kept: ReadonlySet<string> = new Set()
  if (group.protocolType !== null && group.is('Empty')) {
    base = () => group.stateTimestamp
  } else if (group.protocolType === CONSUMER_PROTOCOL_TYPE && group.is('Stable') && group.subscribedTopics !== null) {
    base = (o) => o.commitTimestamp
    kept = group.subscribedTopics
  } else if (group.protocolType === null) {
    base = (o) => o.commitTimestamp
  } else {
    return []
  }
  const retention = rt.config.offsetsRetentionMs
  const doomed: TopicPartitionRef[] = []
  for (const [topic, byPartition] of rt.offsets.offsetsOf(group.groupId)) {
    if (kept.has(topic)) continue
    for (const [partition, o] of byPartition) {
      if (rt.offsets.hasPending(group.groupId, topic, partition)) continue
      const due = o.expireTimestamp >= 0 ? now >= o.expireTimestamp : now - base(o) >= retention
      if (due) doomed.push({ topic, partition })
    }
  }
  return doomed
}
