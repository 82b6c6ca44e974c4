import type { TopicInput } from '../topics/define-topic.js'
import type { StreamsAppOptions } from './options.js'
import { StreamsApp } from './streams-app.js'

/**
 * Runs a read-process-write pipeline with exactly-once semantics, as Kafka Streams' `exactly_once_v2`
 * (KIP-447): one transactional producer per instance (transactional id `<application>-<instanceId>`,
 * so a restarted instance fences its predecessor and aborts its open transaction), and every
 * `commitIntervalMs` (default 100) the outputs, the state changes (changelog records) and the input
 * offsets (`sendOffsetsToTransaction` with the consumer's group metadata, which fences zombies that
 * lost their partitions) are committed in one transaction. A processing error or a rebalance aborts
 * the open transaction, rolls state back and rewinds to the committed offsets. Readers with
 * `read_committed` see every input's effect exactly once.
 *
 * Set `instanceId` (stable across restarts of the same instance) to get fencing and fast restarts:
 * the instance joins as a static member and keeps its partitions without a rebalance.
 *
 * @example
 * ```ts
 * const orders = defineTopic('orders', { value: z.object({ id: z.string(), amount: z.number() }) }) // keyed by customer
 * const totals = defineTopic('customer-totals', { value: z.object({ total: z.number() }) })
 * const app = exactlyOnce({
 *   application: 'billing',
 *   instanceId: 'billing-1',
 *   bootstrapServers: 'localhost:9092',
 *   input: orders,
 *   output: totals,
 *   process: (orders$) => orders$.pipe(
 *     aggregate(() => 0, (total, order) => total + order.value.amount, { store: 'totals' }),
 *     map(({ key, value }) => ({ key, value: { total: value } })),
 *   ),
 * })
 * await app.start()
 * ```
 * @param options - client options, `application`, `input`, `output`, `process` and tuning
 */
export function exactlyOnce<I extends TopicInput, O extends TopicInput>(options: StreamsAppOptions<I, O>): StreamsApp {
  return new StreamsApp(options as StreamsAppOptions<TopicInput, TopicInput>, 'exactly-once')
}
