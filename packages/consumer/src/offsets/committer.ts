import { KafkaAggregateError } from '@tributary/client'
import { KafkaError, OffsetCommitApi, OffsetFetchApi, errorForCode } from '@tributary/protocol'
import type { ConsumerContext } from '../context.js'
import { untilAborted } from '../close.js'
import { byTopic, formatPartitions, sortPartitions, tpKey, type TopicPartition } from '../record.js'
import type { PartitionState } from './positions.js'

/** An offset to commit, internally: a plain number. */
export interface OffsetToCommit extends TopicPartition {
  offset: number
  metadata?: string | null
}

/** A committed offset as read back: -1 when the group has none for the partition. */
export interface FetchedOffset {
  offset: number
  metadata: string | null
  leaderEpoch: number
}

/** Error codes after which this member's generation is gone: the commit can never succeed as sent. */
const FENCED = new Set(['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID'])

/**
 * Commits and reads a group's offsets through its coordinator (OffsetCommit / OffsetFetch), retrying
 * coordinator moves and connection losses. A commit that meets a rebalance in its final phase
 * (REBALANCE_IN_PROGRESS) waits for the group to settle and commits again with the new generation,
 * dropping partitions the member no longer owns when the offsets were the consumed positions.
 */
export class OffsetCommitter {
  private timer: NodeJS.Timeout | undefined
  private autoCommitting: Promise<void> | undefined

  constructor(
    private readonly ctx: ConsumerContext,
    private readonly groupId: string,
  ) {}

  /** Commits the consumed positions of `states` (default: every assigned partition) that changed since their last commit. */
  async commitConsumed(states: readonly PartitionState[] = this.ctx.partitions.all(), options: { ownedOnly?: boolean } = {}): Promise<void> {
    const offsets = states.filter((s) => s.consumed >= 0 && s.consumed !== s.committed).map((s) => ({ topic: s.topic, partition: s.partition, offset: s.consumed }))
    if (offsets.length === 0) return
    await this.commit(offsets, { ...options, consumed: true })
    for (const s of states) {
      const sent = offsets.find((o) => o.topic === s.topic && o.partition === s.partition)
      if (sent && sent.offset > s.committed) s.committed = sent.offset
    }
  }

  /** Commits explicit offsets. `consumed` marks them as consumed positions, which are re-read after a rebalance. */
  async commit(offsets: readonly OffsetToCommit[], options: { consumed?: boolean } = {}): Promise<void> {
    let pending = offsets
    for (let attempt = 0; ; attempt++) {
      try {
        await this.send(pending)
        return
      } catch (err) {
        if (!(err instanceof KafkaError) || err.code !== 'REBALANCE_IN_PROGRESS' || attempt >= 5 || this.ctx.closing) throw err
        this.ctx.logger.debug(`Commit met a rebalance; committing again once the group is stable`, { partitions: formatPartitions(pending) })
        await this.ctx.whenStable()
        if (options.consumed) {
          pending = pending.filter((o) => this.ctx.partitions.get(o.topic, o.partition))
          if (pending.length === 0) return
        }
      }
    }
  }

  /**
   * One OffsetCommit, retried. Once close() has run out of its `timeoutMs` it is given up, even with a
   * request in flight: it rejects with a CLOSE_TIMEOUT error naming the offsets that may not be committed.
   */
  private async send(offsets: readonly OffsetToCommit[]): Promise<void> {
    const coordinator = { type: 'group' as const, key: this.groupId }
    const deadline = this.ctx.closeDeadline
    let lastError: KafkaError | undefined
    const attempts = this.ctx.cluster.retry(
      async () => {
        const { generationId, memberId, groupInstanceId } = this.ctx.generation()
        const conn = await this.ctx.cluster.coordinatorConnection('group', this.groupId)
        const metadataOf = new Map(offsets.map((o) => [tpKey(o.topic, o.partition), o]))
        const response = await conn.request(OffsetCommitApi, {
          groupId: this.groupId,
          generationIdOrMemberEpoch: generationId,
          memberId,
          groupInstanceId,
          retentionTimeMs: -1n,
          topics: [...byTopic(offsets)].map(([name, parts]) => ({
            name,
            partitions: parts.map((partitionIndex) => {
              const o = metadataOf.get(tpKey(name, partitionIndex))!
              return { partitionIndex, committedOffset: BigInt(o.offset), committedLeaderEpoch: -1, committedMetadata: o.metadata ?? '' }
            }),
          })),
        })
        const failures = new Map<string, KafkaError>()
        for (const t of response.topics) {
          for (const p of t.partitions) {
            const error = errorForCode(p.errorCode, `committing ${t.name}-${p.partitionIndex} for group "${this.groupId}"`)
            if (error) failures.set(`/topics/${t.name}/partitions/${p.partitionIndex}`, error)
          }
        }
        if (failures.size === 0) return
        const first = [...failures.values()][0]!
        if (failures.size === 1 || [...failures.values()].every((e) => e.code === first.code)) throw first
        throw new KafkaAggregateError('commit', failures)
      },
      { coordinator, signal: deadline, onRetry: (error) => void (lastError = error) },
    )
    try {
      await untilAborted(attempts, deadline)
    } catch (err) {
      if (deadline.aborted) {
        const list = sortPartitions(offsets).map((o) => `${o.topic}-${o.partition} (offset ${o.offset})`).join(', ')
        throw new KafkaError(
          `${(deadline.reason as Error).message} before committing ${list} for group "${this.groupId}": these offsets may not be committed, so the records after the group's last committed offsets will be delivered again${lastError ? ` (the last attempt failed: ${lastError.message})` : ''}`,
          { code: 'CLOSE_TIMEOUT', cause: lastError ?? err },
        )
      }
      if (err instanceof KafkaError && FENCED.has(err.code)) {
        throw new KafkaError(
          `Commit failed: this member is no longer part of generation ${this.ctx.generation().generationId} of group "${this.groupId}" (${err.code}); its partitions may have been reassigned, so the offsets were not committed`,
          { code: 'COMMIT_FAILED', cause: err },
        )
      }
      throw err
    }
  }

  /** Reads the group's committed offsets of `partitions` (waiting for pending transactional commits with read_committed); `signal` ends the retries. */
  async fetchCommitted(partitions: readonly TopicPartition[], signal?: AbortSignal): Promise<Map<string, FetchedOffset>> {
    const coordinator = { type: 'group' as const, key: this.groupId }
    const requireStable = this.ctx.options.isolationLevel === 'read_committed'
    const groupId = this.groupId
    return this.ctx.cluster.retry(
      async () => {
        const conn = await this.ctx.cluster.coordinatorConnection('group', groupId)
        const topics = [...byTopic(partitions)].map(([name, partitionIndexes]) => ({ name, partitionIndexes }))
        const response = await conn.request(OffsetFetchApi, (v) => (v >= 8 ? { requireStable, groups: [{ groupId, topics }] } : { groupId, topics, requireStable }))
        const group = response.groups.length > 0 ? response.groups.find((g) => g.groupId === groupId) : { errorCode: response.errorCode, topics: response.topics }
        if (!group) throw new KafkaError(`OffsetFetch returned nothing for group "${groupId}"`, { code: 'COORDINATOR_NOT_AVAILABLE', retriable: true })
        const groupError = errorForCode(group.errorCode, `reading the offsets of group "${groupId}"`)
        if (groupError) throw groupError
        const out = new Map<string, FetchedOffset>()
        for (const t of group.topics) {
          for (const p of t.partitions) {
            const error = errorForCode(p.errorCode, `reading the committed offset of ${t.name}-${p.partitionIndex}`)
            if (error) throw error
            out.set(tpKey(t.name, p.partitionIndex), { offset: Number(p.committedOffset), metadata: p.metadata, leaderEpoch: p.committedLeaderEpoch })
          }
        }
        return out
      },
      { coordinator, signal },
    )
  }

  /** Commits consumed positions every `autoCommitIntervalMs` (errors are logged; the next round tries again). */
  startAutoCommit(): void {
    if (this.timer) return
    this.timer = setInterval(() => {
      if (this.autoCommitting || this.ctx.closing) return
      this.autoCommitting = this.commitConsumed(
        this.ctx.partitions.all().filter((s) => !s.revoking),
      )
        .catch((err: unknown) => this.ctx.logger.warn(`Auto-commit failed: ${(err as Error).message}`, { groupId: this.groupId }))
        .finally(() => (this.autoCommitting = undefined))
    }, this.ctx.options.autoCommitIntervalMs)
    this.timer.unref()
  }

  /** Stops auto-committing and waits for a commit in progress. */
  async stopAutoCommit(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.autoCommitting
  }
}
