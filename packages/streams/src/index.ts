// @tributary/streams: RxJS read-process-write pipelines on Kafka with exactly-once semantics,
// state stores backed by changelog topics, windows and stream-table joins.

export type { StreamRecord, OutputRecord, Keyed, KeyValue, WindowBounds, WindowedRecord } from './record.js'
export { StreamsError, type StreamsErrorCode } from './errors.js'

export { fromTopic, type FromTopicOptions } from './sources/from-topic.js'
export { toTopic, type ToTopicOptions } from './sinks/to-topic.js'
export { mapAsync, type MapAsyncOptions } from './operators/map-async.js'

export { defineTopic, type TopicDefinition, type TopicOptions, type TopicFormat, type TopicSchema, type TopicInput, type KeyOf, type ValueOf, type OutputKeyOf, type OutputValueOf, type SchemaOutput } from './topics/define-topic.js'
export { DEAD_LETTER_HEADERS } from './topics/dead-letter.js'

export { count } from './operators/count.js'
export { reduce } from './operators/reduce.js'
export { aggregate } from './operators/aggregate.js'
export type { StoreOptions } from './operators/keyed-update.js'
export { windowedAggregate, type WindowedOptions, type TimedRecord } from './operators/windowed-aggregate.js'
export { windowedCount } from './operators/windowed-count.js'
export { tumbling } from './windows/tumbling.js'
export { hopping } from './windows/hopping.js'
export { session } from './windows/session.js'
export type { Windows, TimeWindows, SessionWindows } from './windows/windows.js'

export { joinTable, type TableSource, type TableUpdate } from './operators/join-table.js'
export { topicTable, TopicTable } from './tables/topic-table.js'

export { exactlyOnce } from './runner/exactly-once.js'
export { atLeastOnce } from './runner/at-least-once.js'
export { StreamsApp } from './runner/streams-app.js'
export type { Guarantee } from './runner/commit-strategy.js'
export type { StreamsEvent, StreamsMetrics } from './runner/events.js'
export { runnerOptionsSchema, type StreamsAppOptions, type RunnerSettings, type PipelineDefinition, type RoutedOutputRecord } from './runner/options.js'

export { ProcessingScope, currentScope, runInScope } from './scope/processing-scope.js'
export { KeyValueStore, type ChangelogWrite } from './state/key-value-store.js'
