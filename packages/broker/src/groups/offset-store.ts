import { KafkaError } from '@tributary/protocol'
import type { LoadedGroupState } from './group-loader.js'
import type { GroupLog, GroupLogRecord } from './group-log.js'
import { encodeKey, encodeOffsetValue, encodePendingOffsetValue } from './records.js'

/** A committed offset as the coordinator keeps it. */
export interface CommittedOffset {
  offset: bigint
  /** -1 when the committer did not know it. */
  leaderEpoch: number
  metadata: string | null
  commitTimestamp: number
  /** -1: expires by the retention rules; otherwise when it expires (OffsetCommit v2-v4 retention). */
  expireTimestamp: number
  /** Order of the write that produced it, as Kafka uses the record's position in the log. */
  sequence: number
}

/** One partition's offset to commit or stage. */
export interface OffsetToCommit {
  topic: string
  partition: number
  offset: bigint
  leaderEpoch: number
  metadata: string | null
  commitTimestamp: number
  /** -1 unless the commit asked for its own retention. */
  expireTimestamp: number
}

/** A topic partition. */
export interface TopicPartitionRef {
  topic: string
  partition: number
}

interface PendingOffset extends OffsetToCommit {
  producerEpoch: number
  sequence: number
}

/** producer id → group → `topic\0partition` → staged offset. */
type PendingByProducer = Map<bigint, Map<string, Map<string, PendingOffset>>>

const tpKey = (topic: string, partition: number) => `${topic}\0${partition}`

/**
 * Committed offsets of every group, and transactional offsets waiting for their transaction to end.
 * Every change is written to `__consumer_offsets` first and applied in memory only once the write
 * succeeded, so memory never claims what a restart would not find.
 *
 * Transactional offsets (TxnOffsetCommit) are staged per producer and stored under their own keys,
 * so they survive a restart while the transaction is open; when it ends they become committed
 * offsets (commit) or disappear (abort), in one batch per group together with the deletion of the
 * staged keys. As in Kafka, a staged offset does not replace a committed offset written after it.
 */
export class OffsetStore {
  private readonly committed = new Map<string, Map<string, Map<number, CommittedOffset>>>()
  private readonly pending: PendingByProducer = new Map()
  private nextSequence = 0

  constructor(private readonly log: GroupLog) {}

  /** Takes over what was read back from `__consumer_offsets` at start-up. */
  restore(state: LoadedGroupState): void {
    this.nextSequence = state.nextSequence
    for (const [groupId, byTopic] of state.offsets) {
      for (const [topic, byPartition] of byTopic) {
        for (const [partition, o] of byPartition) this.put(groupId, topic, partition, { ...o })
      }
    }
    for (const p of state.pending) {
      const { value } = p
      this.stagedFor(p.producerId, p.groupId).set(tpKey(p.topic, p.partition), {
        topic: p.topic,
        partition: p.partition,
        offset: value.offset,
        leaderEpoch: value.leaderEpoch,
        metadata: value.metadata,
        commitTimestamp: value.commitTimestamp,
        expireTimestamp: -1,
        producerEpoch: value.producerEpoch,
        sequence: p.sequence,
      })
    }
  }

  /** A partition's committed offset. */
  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.committed.get(groupId)?.get(topic)?.get(partition)
  }

  /** Every committed offset of a group, by topic, in the order they were first committed. */
  offsetsOf(groupId: string): ReadonlyMap<string, ReadonlyMap<number, CommittedOffset>> {
    return this.committed.get(groupId) ?? new Map()
  }

  hasOffsets(groupId: string): boolean {
    return this.committed.has(groupId)
  }

  /** Groups with committed or staged offsets. */
  groupIds(): Set<string> {
    const ids = new Set(this.committed.keys())
    for (const byGroup of this.pending.values()) for (const g of byGroup.keys()) ids.add(g)
    return ids
  }

  /**
   * Commits offsets: one batch in `__consumer_offsets`, then memory.
   *
   * @throws KafkaError when the write fails; nothing changes then.
   */
  commit(groupId: string, offsets: readonly OffsetToCommit[]): void {
    if (offsets.length === 0) return
    this.log.append(groupId, offsets.map((o) => this.offsetRecord(groupId, o)))
    for (const o of offsets) this.put(groupId, o.topic, o.partition, { ...pick(o), sequence: this.nextSequence++ })
  }

  /**
   * Deletes committed offsets (tombstones); partitions without one are skipped. Returns how many
   * were deleted.
   *
   * @throws KafkaError when the write fails; nothing changes then.
   */
  remove(groupId: string, partitions: readonly TopicPartitionRef[]): number {
    // A request may name a partition twice: it is deleted once.
    const unique = new Map(partitions.map((tp) => [tpKey(tp.topic, tp.partition), tp]))
    const present = [...unique.values()].filter((tp) => this.get(groupId, tp.topic, tp.partition) !== undefined)
    if (present.length === 0) return 0
    this.log.append(groupId, present.map((tp) => ({ key: encodeKey({ kind: 'offset', groupId, topic: tp.topic, partition: tp.partition }), value: null })))
    const byTopic = this.committed.get(groupId)!
    for (const tp of present) {
      const byPartition = byTopic.get(tp.topic)!
      byPartition.delete(tp.partition)
      if (byPartition.size === 0) byTopic.delete(tp.topic)
    }
    if (byTopic.size === 0) this.committed.delete(groupId)
    return present.length
  }

  /** Deletes every committed offset of a group. @throws KafkaError when the write fails. */
  removeAll(groupId: string): number {
    const all: TopicPartitionRef[] = []
    for (const [topic, byPartition] of this.offsetsOf(groupId)) for (const partition of byPartition.keys()) all.push({ topic, partition })
    return this.remove(groupId, all)
  }

  /**
   * Stages a transaction's offsets for a group (TxnOffsetCommit): stored, invisible to OffsetFetch
   * until the transaction commits. Staging a partition again replaces the producer's earlier offset.
   *
   * @throws KafkaError when the write fails; nothing changes then.
   */
  stage(groupId: string, producerId: bigint, producerEpoch: number, offsets: readonly OffsetToCommit[]): void {
    if (offsets.length === 0) return
    this.log.append(
      groupId,
      offsets.map((o) => ({
        key: encodeKey({ kind: 'pendingTxnOffset', groupId, topic: o.topic, partition: o.partition, producerId }),
        value: encodePendingOffsetValue({ producerEpoch, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, commitTimestamp: o.commitTimestamp }),
      })),
    )
    const staged = this.stagedFor(producerId, groupId)
    for (const o of offsets) {
      const key = tpKey(o.topic, o.partition)
      staged.delete(key)
      staged.set(key, { ...o, expireTimestamp: -1, producerEpoch, sequence: this.nextSequence++ })
    }
  }

  /**
   * Ends a producer's transaction for the offsets it staged with an epoch up to `producerEpoch`:
   * on commit they become committed offsets (unless a later commit already replaced them), on
   * abort they are dropped. Returns the groups whose offsets changed. Calling it again, or for a
   * producer without staged offsets, does nothing.
   *
   * @throws KafkaError when a group's write fails: that group's offsets stay staged (so a retry
   * completes them) while the other groups complete.
   */
  complete(producerId: bigint, producerEpoch: number, commit: boolean): string[] {
    const byGroup = this.pending.get(producerId)
    if (!byGroup) return []
    const done: string[] = []
    const failures: string[] = []
    let firstError: unknown
    for (const [groupId, staged] of [...byGroup]) {
      const ending = [...staged.values()].filter((p) => p.producerEpoch <= producerEpoch)
      if (ending.length === 0) continue
      const applied = commit ? ending.filter((p) => (this.get(groupId, p.topic, p.partition)?.sequence ?? -1) < p.sequence) : []
      const records: GroupLogRecord[] = [
        ...applied.map((p) => this.offsetRecord(groupId, p)),
        ...ending.map((p) => ({ key: encodeKey({ kind: 'pendingTxnOffset', groupId, topic: p.topic, partition: p.partition, producerId }), value: null })),
      ]
      try {
        this.log.append(groupId, records)
      } catch (err) {
        firstError ??= err
        failures.push(groupId)
        continue
      }
      for (const p of applied) this.put(groupId, p.topic, p.partition, { ...pick(p), sequence: p.sequence })
      for (const p of ending) staged.delete(tpKey(p.topic, p.partition))
      if (staged.size === 0) byGroup.delete(groupId)
      done.push(groupId)
    }
    if (byGroup.size === 0) this.pending.delete(producerId)
    if (firstError !== undefined) {
      const reason = firstError instanceof Error ? firstError.message : String(firstError)
      const code = firstError instanceof KafkaError ? firstError.code : 'KAFKA_STORAGE_ERROR'
      throw new KafkaError(`Completing the transactional offsets of producer ${producerId} failed for group(s) ${failures.join(', ')}: ${reason}`, { code, cause: firstError })
    }
    return done
  }

  /** Whether a transaction has staged an offset for this group (and partition, when given). */
  hasPending(groupId: string, topic?: string, partition?: number): boolean {
    for (const byGroup of this.pending.values()) {
      const staged = byGroup.get(groupId)
      if (!staged) continue
      if (topic === undefined || partition === undefined) return staged.size > 0
      if (staged.has(tpKey(topic, partition))) return true
    }
    return false
  }

  private stagedFor(producerId: bigint, groupId: string): Map<string, PendingOffset> {
    let byGroup = this.pending.get(producerId)
    if (!byGroup) this.pending.set(producerId, (byGroup = new Map()))
    let staged = byGroup.get(groupId)
    if (!staged) byGroup.set(groupId, (staged = new Map()))
    return staged
  }

  private offsetRecord(groupId: string, o: OffsetToCommit): GroupLogRecord {
    return {
      key: encodeKey({ kind: 'offset', groupId, topic: o.topic, partition: o.partition }),
      value: encodeOffsetValue({ offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, commitTimestamp: o.commitTimestamp, expireTimestamp: o.expireTimestamp }),
    }
  }

  private put(groupId: string, topic: string, partition: number, value: CommittedOffset): void {
    let byTopic = this.committed.get(groupId)
    if (!byTopic) this.committed.set(groupId, (byTopic = new Map()))
    let byPartition = byTopic.get(topic)
    if (!byPartition) byTopic.set(topic, (byPartition = new Map()))
    byPartition.set(partition, value)
  }
}

function pick(o: OffsetToCommit): Omit<CommittedOffset, 'sequence'> {
  return { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, commitTimestamp: o.commitTimestamp, expireTimestamp: o.expireTimestamp }
}
