import type { ConsumerContext } from '../context.js'
import type { OffsetCommitter } from '../offsets/committer.js'
import type { PartitionState } from '../offsets/positions.js'
import type { PositionResolver } from '../offsets/resolver.js'
import { formatPartitions, tpKey, type TopicPartition } from '../record.js'
import { invokeListener, type RebalanceListener } from './rebalance-listener.js'

/**
 * The member's side of a rebalance: giving partitions up (revoked or lost) and taking new ones, with
 * the listener callbacks and commits in Kafka's order. Giving up waits until no record of those
 * partitions is being processed, so a partition is never processed here after it was handed on.
 */
export class Ownership {
  constructor(
    private readonly ctx: ConsumerContext,
    private readonly committer: OffsetCommitter,
    private readonly resolver: PositionResolver,
    private readonly listener: () => RebalanceListener | undefined,
  ) {}

  /** The partitions owned now. */
  owned(): TopicPartition[] {
    return this.ctx.partitions.partitions()
  }

  /**
   * Stops delivering `states`, waits for their processing to finish, commits their consumed offsets
   * (auto-commit, when revoked), calls the listener and drops them.
   */
  async giveUp(states: readonly PartitionState[], kind: 'revoked' | 'lost'): Promise<void> {
    if (states.length === 0) return
    for (const s of states) s.revoking = true
    this.ctx.partitions.changed()
    await Promise.all(states.map((s) => s.whenIdle()))
    if (kind === 'revoked' && this.ctx.options.enableAutoCommit) {
      try {
        await this.committer.commitConsumed(states)
      } catch (err) {
        this.ctx.logger.warn(`Committing revoked partitions ${formatPartitions(states)} failed: ${(err as Error).message}`)
      }
    }
    const partitions = states.map(({ topic, partition }) => ({ topic, partition }))
    this.ctx.logger.info(`Partitions ${kind}: ${formatPartitions(partitions)}`)
    await invokeListener(this.listener(), kind, partitions, this.ctx.logger)
    this.ctx.partitions.remove(partitions)
  }

  /** Gives up every owned partition. */
  giveUpAll(kind: 'revoked' | 'lost'): Promise<void> {
    return this.giveUp(this.ctx.partitions.all(), kind)
  }

  /**
   * Applies an assignment received through SyncGroup: partitions owned but no longer assigned are
   * revoked, new ones are added (their positions looked up after `onPartitionsAssigned`). Returns the
   * revoked partitions, which a cooperative member must let the group reassign by rejoining.
   */
  async apply(assigned: readonly TopicPartition[]): Promise<TopicPartition[]> {
    const keys = new Set(assigned.map((tp) => tpKey(tp.topic, tp.partition)))
    const revoked = this.ctx.partitions.all().filter((s) => !keys.has(s.key))
    await this.giveUp(revoked, 'revoked')
    const added = assigned.filter((tp) => !this.ctx.partitions.get(tp.topic, tp.partition))
    this.ctx.partitions.add(added)
    if (added.length > 0) this.ctx.logger.info(`Partitions assigned: ${formatPartitions(added)}`)
    await invokeListener(this.listener(), 'assigned', added.map(({ topic, partition }) => ({ topic, partition })), this.ctx.logger)
    this.resolver.schedule()
    return revoked.map(({ topic, partition }) => ({ topic, partition }))
  }
}
