import type { TopicInput } from '../topics/define-topic.js'
import type { StreamsAppOptions } from './options.js'
import { StreamsApp } from './streams-app.js'

/**
 * Runs a read-process-write pipeline with at-least-once semantics: the same pipelines, stores and
 * tables as {@link exactlyOnce}, without transactions. Outputs are written as they are produced; every
 * `commitIntervalMs` (default 30 000, as Kafka Streams) the changelog is written, and once it and every
 * output are acknowledged, the input offsets are committed. After a crash the work since the last
 * commit is done again, so readers may see outputs twice and restored state may already include
 * records that are then processed again (over-counting). Cheaper than exactly-once; choose it when
 * duplicates are acceptable or outputs are idempotent.
 *
 * @example
 * ```ts
 * const app = atLeastOnce({ application: 'page-views', bootstrapServers, input: views, output: counts, commitIntervalMs: 1_000,
 *   process: (views$) => views$.pipe(count({ store: 'views' })) })
 * await app.start()
 * ```
 * @param options - client options, `application`, `input`, `output`, `process` and tuning
 */
export function atLeastOnce<I extends TopicInput, O extends TopicInput>(options: StreamsAppOptions<I, O>): StreamsApp {
  return new StreamsApp(options as StreamsAppOptions<TopicInput, TopicInput>, 'at-least-once')
}
