import { clientOptionsSchema, parseOptions, type ClientOptions } from '@tributary/client'
import type { ConsumerOptions } from '@tributary/consumer'
import type { ProducerOptions } from '@tributary/producer'
import type { Observable } from 'rxjs'
import { z } from 'zod'
import type { OutputRecord, StreamRecord } from '../record.js'
import type { KeyOf, OutputKeyOf, OutputValueOf, TopicInput, ValueOf } from '../topics/define-topic.js'

const name = z.string().regex(/^[A-Za-z0-9._-]+$/, { error: 'expected letters, digits, ".", "_" or "-" (it names topics, the consumer group and transactional ids)' })

/**
 * The runner's settings: every client option plus the runner's own, with their defaults; what
 * `exactlyOnce` and `atLeastOnce` validate (besides `input`, `output`, `outputs` and `process`).
 *
 * @example
 * ```ts
 * const result = runnerOptionsSchema.safeParse({ bootstrapServers: 'localhost:9092', application: 'billing', commitIntervalMs: 0 })
 * if (!result.success) console.log(result.error.issues) // commitIntervalMs: too small
 * ```
 */
export const runnerOptionsSchema = clientOptionsSchema.extend({
  /** Kafka Streams' `application.id`: the consumer group, the prefix of changelog topics and transactional ids. */
  application: name,
  /** This instance's stable identity. Default: random per start. Set it to restart an instance as itself. */
  instanceId: name.optional(),
  /** Join the group as a static member (`groupInstanceId` = instanceId). Default: true when `instanceId` is set. */
  staticMembership: z.boolean().optional(),
  /** How often work is committed. Default 100 ms for exactly-once, 30 000 ms for at-least-once (Kafka Streams' defaults). */
  commitIntervalMs: z.int().min(1).optional(),
  /** Records of one partition in flight (handed to the pipeline, not settled) at which it is paused, after the delivery that filled it. */
  maxInFlightPerPartition: z.int().min(1).default(10_000),
  /** Exactly-once: the transaction timeout (Kafka Streams uses 10 000 ms); an instance that dies mid-transaction holds readers back this long. */
  transactionTimeoutMs: z.int().min(1).default(10_000),
  /** How many times in a row a failing pipeline is rewound and retried before the app fails. */
  processingRetries: z.int().min(0).default(3),
  /** Where to start reading input partitions the group has never committed. */
  autoOffsetReset: z.enum(['earliest', 'latest']).default('earliest'),
  /** Further consumer options (`sessionTimeoutMs`, `maxPollRecords`, `fetchMaxWaitMs`, …). */
  consumer: z.record(z.string(), z.unknown()).default(() => ({})),
  /** Further producer options (`lingerMs`, `compression`, …). */
  producer: z.record(z.string(), z.unknown()).default(() => ({})),
})

/** Settings of a runner: client options plus the runner's own. */
export type RunnerSettings = Omit<z.input<typeof runnerOptionsSchema>, 'consumer' | 'producer'> &
  ClientOptions & {
    consumer?: Partial<Omit<ConsumerOptions, 'groupId' | 'groupInstanceId' | 'enableAutoCommit' | 'isolationLevel' | 'keyDeserializer' | 'valueDeserializer'>>
    producer?: Partial<Omit<ProducerOptions, 'transactionalId' | 'keySerializer' | 'valueSerializer'>>
  }

/** The runner settings after validation. */
export type ResolvedRunnerSettings = z.output<typeof runnerOptionsSchema>

/** An output for a topic other than the default one: `topic` is required. */
export type RoutedOutputRecord = OutputRecord<unknown, unknown> & { topic: string }

/** What a runner runs: input topics, output topics and the pipeline between them. */
export interface PipelineDefinition<I extends TopicInput, O extends TopicInput> {
  /** The topic(s) to read. Their partitions define the store partitions: state of input partition N lives in changelog partition N. */
  input: I | readonly I[]
  /** Where outputs without a `topic` go, and how they are encoded. */
  output?: O
  /** Other topics outputs may name, encoded by their definitions (unlisted topics take Buffers or strings). */
  outputs?: readonly TopicInput[]
  /**
   * Builds the pipeline from the Observable of input records. Outputs must be emitted while their
   * input record is processed (synchronous operators, the stateful operators of this package) or by
   * {@link mapAsync}; the pipeline is built again after a failure or a rewind.
   */
  process: (records: Observable<StreamRecord<KeyOf<I>, ValueOf<I>>>) => Observable<OutputRecord<OutputKeyOf<O>, OutputValueOf<O>> | RoutedOutputRecord>
}

/** The options of `exactlyOnce` and `atLeastOnce`. */
export type StreamsAppOptions<I extends TopicInput, O extends TopicInput> = RunnerSettings & PipelineDefinition<I, O>

/** Splits app options into the pipeline definition and the validated settings. */
export function parseAppOptions<I extends TopicInput, O extends TopicInput>(options: StreamsAppOptions<I, O>, owner: string): { pipeline: PipelineDefinition<I, O>; settings: ResolvedRunnerSettings } {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${owner}() needs an options object`)
  const { input, output, outputs, process, ...rest } = options
  if (typeof process !== 'function') throw new TypeError(`${owner}() needs a process function: (records$) => outputs$`)
  const inputs = Array.isArray(input) ? input : [input]
  if (inputs.length === 0 || inputs.some((t) => t === undefined || t === null)) throw new TypeError(`${owner}() needs at least one input topic`)
  return { pipeline: { input, output, outputs, process }, settings: parseOptions(runnerOptionsSchema, rest, owner) }
}
