import type { Logger } from '@tributary/client'
import type { TopicPartition } from '../record.js'

/**
 * Callbacks around rebalances, with Kafka's `ConsumerRebalanceListener` meaning. Each may return a
 * promise; the rebalance waits for it. No record of a partition is being processed while its
 * callback runs.
 *
 * @example
 * ```ts
 * await consumer.subscribe(['orders'], {
 *   onPartitionsAssigned: (partitions) => console.log('now own', partitions),
 *   onPartitionsRevoked: async (partitions) => { await flushState(partitions) }, // offsets are committed too
 *   onPartitionsLost: (partitions) => dropState(partitions),
 * })
 * ```
 */
export interface RebalanceListener {
  /**
   * Partitions this member now owns, after every completed rebalance (with cooperative rebalancing
   * only the newly added ones, possibly none). Their positions are looked up after this returns, so
   * a `seek` here decides where consumption starts.
   */
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>
  /**
   * Partitions this member gives up while still a member: their processing has finished, and with
   * `enableAutoCommit` their consumed offsets have just been committed. Commit here otherwise. With
   * cooperative rebalancing only the partitions that move; with eager rebalancing, all of them before
   * every rebalance; and all of them at `close()`.
   */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>
  /**
   * Partitions this member lost without being able to give them up (its session expired, it was
   * fenced, or it exceeded `maxPollIntervalMs`): another member may own them already, so committing
   * is pointless. Defaults to `onPartitionsRevoked` when not given, as in Kafka.
   */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>
}

/** Calls a listener callback; its errors are logged, never allowed to break the rebalance. */
export async function invokeListener(
  listener: RebalanceListener | undefined,
  event: 'assigned' | 'revoked' | 'lost',
  partitions: TopicPartition[],
  logger: Logger,
): Promise<void> {
  if (!listener) return
  const callback =
    event === 'assigned'
      ? listener.onPartitionsAssigned
      : event === 'revoked'
        ? listener.onPartitionsRevoked
        : (listener.onPartitionsLost ?? listener.onPartitionsRevoked)
  if (!callback) return
  try {
    await callback.call(listener, partitions)
  } catch (err) {
    logger.error(`The rebalance listener's onPartitions${event[0]!.toUpperCase()}${event.slice(1)} threw: ${(err as Error).message}`, { error: err })
  }
}
