import type { TopicPartitions } from './types.js'

interface StickyState {
  partition: number
  /** True until the first batch is started in `partition`; the switch happens on the next new batch. */
  fresh: boolean
}

/**
 * The sticky partitioner of KIP-480 for records without a key: every such record of a topic goes to one
 * partition until a new batch has to be started there (the previous one filled up or was sent), then to
 * another partition picked at random among those with a leader. Batches fill faster than with
 * round-robin, so fewer, larger requests carry the same records.
 *
 * @example
 * ```ts
 * const sticky = new StickyPartitioner()
 * sticky.partition({ topic: 'logs', count: 6, available: [0, 1, 2, 3, 4, 5] }) // the same partition until onNewBatch
 * ```
 */
export class StickyPartitioner {
  private readonly byTopic = new Map<string, StickyState>()

  constructor(private readonly random: () => number = Math.random) {}

  /** The topic's current sticky partition (chosen at random the first time). */
  partition(topic: TopicPartitions): number {
    let state = this.byTopic.get(topic.topic)
    if (state === undefined || state.partition >= topic.count) {
      state = { partition: this.pick(topic, -1), fresh: true }
      this.byTopic.set(topic.topic, state)
    }
    return state.partition
  }

  /**
   * A record for `partition` needs a new batch there. The first batch of a freshly chosen partition is
   * its own; after that the sticky partition moves to another one, which is returned.
   */
  onNewBatch(topic: TopicPartitions, partition: number): number {
    const state = this.byTopic.get(topic.topic)
    if (state === undefined || state.partition !== partition) return state?.partition ?? partition
    if (state.fresh) {
      state.fresh = false
      return partition
    }
    state.partition = this.pick(topic, partition)
    return state.partition
  }

  private pick(topic: TopicPartitions, previous: number): number {
    const candidates = topic.available.length > 0 ? topic.available : null
    const n = candidates ? candidates.length : topic.count
    if (n <= 1) return candidates ? candidates[0]! : 0
    // Choose among the others, so that a switch always moves.
    const skip = candidates ? candidates.indexOf(previous) : previous
    let i = Math.floor(this.random() * (skip >= 0 ? n - 1 : n))
    if (skip >= 0 && i >= skip) i++
    return candidates ? candidates[i]! : i
  }
}
