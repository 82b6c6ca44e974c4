import { clientOptionsSchema, parseOptions } from '@tributary/client'
import { z } from 'zod'
import type { Assignor } from './assignors/assignor.js'
import type { BuiltinAssignorName } from './assignors/builtin.js'

/**
 * Something that turns record bytes into values: any `Serde` from `@tributary/client` fits.
 *
 * @example
 * ```ts
 * const consumer = new Consumer({ bootstrapServers, groupId: 'g', valueDeserializer: jsonSerde<Order>() })
 * ```
 */
export interface Deserializer<T> {
  deserialize(buf: Buffer | null, ctx: { topic: string; partition?: number; offset?: bigint | number; headers: Record<string, string | Buffer | undefined> }): T
}

const isDeserializer = (v: unknown): v is Deserializer<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as { deserialize?: unknown }).deserialize === 'function'

const isAssignor = (v: unknown): v is Assignor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Assignor).name === 'string' &&
  (v as Assignor).name.length > 0 &&
  ((v as Assignor).protocol === 'eager' || (v as Assignor).protocol === 'cooperative') &&
  typeof (v as Assignor).assign === 'function'

const ms = (fallback: number) => z.int().min(0).default(fallback)
const positive = (fallback: number) => z.int().min(1).default(fallback)

const strategy = z.union(
  [z.enum(['range', 'roundrobin', 'sticky', 'cooperative-sticky']), z.custom<Assignor>(isAssignor)],
  { error: 'expected "range", "roundrobin", "sticky", "cooperative-sticky" or an assignor object ({ name, protocol, assign })' },
)

/**
 * The consumer's options: every client option (`bootstrapServers`, `clientId`, `ssl`, `sasl`,
 * `requestTimeoutMs`, `metadataMaxAgeMs`, …) plus Kafka's consumer configs in camelCase, with Kafka's
 * defaults except where noted.
 *
 * @example
 * ```ts
 * const result = consumerOptionsSchema.safeParse({ bootstrapServers: 'localhost:9092', maxPollRecords: 0 })
 * if (!result.success) console.log(result.error.issues)
 * ```
 */
export const consumerOptionsSchema = clientOptionsSchema.extend({
  /** Kafka `group.id`: required for `subscribe()` and for committing offsets. */
  groupId: z.string().min(1).optional(),
  /** Kafka `group.instance.id`: makes the member static (KIP-345). */
  groupInstanceId: z.string().min(1).optional(),
  /** Kafka `auto.offset.reset`: where to start without a valid committed offset. */
  autoOffsetReset: z.enum(['earliest', 'latest', 'none']).default('latest'),
  /** Kafka `enable.auto.commit`. */
  enableAutoCommit: z.boolean().default(true),
  /** Kafka `auto.commit.interval.ms`. */
  autoCommitIntervalMs: positive(5_000),
  /** Kafka `session.timeout.ms`. */
  sessionTimeoutMs: positive(45_000),
  /** Kafka `heartbeat.interval.ms`. */
  heartbeatIntervalMs: positive(3_000),
  /** Kafka `max.poll.interval.ms`: the longest a record (or batch) may be processed before the member leaves the group. */
  maxPollIntervalMs: positive(300_000),
  /** How long the coordinator waits for members to rejoin; Kafka uses `max.poll.interval.ms` (the default here too). */
  rebalanceTimeoutMs: z.int().min(1).optional(),
  /** Kafka `partition.assignment.strategy`, in preference order. */
  partitionAssignmentStrategy: z.array(strategy).min(1).default(['cooperative-sticky', 'range']),
  /** Kafka `isolation.level`. Default `read_committed` (Kafka's Java client defaults to `read_uncommitted`). */
  isolationLevel: z.enum(['read_committed', 'read_uncommitted']).default('read_committed'),
  /** Kafka `fetch.min.bytes`. */
  fetchMinBytes: positive(1),
  /** Kafka `fetch.max.wait.ms`. */
  fetchMaxWaitMs: ms(500),
  /** Kafka `fetch.max.bytes`. */
  fetchMaxBytes: positive(52_428_800),
  /** Kafka `max.partition.fetch.bytes`. */
  maxPartitionFetchBytes: positive(1_048_576),
  /** Kafka `max.poll.records`: the most records one `eachBatch` call (or one internal poll) gets. */
  maxPollRecords: positive(500),
  /** A cap on fetched bytes buffered but not yet delivered; no fetch is sent while it is reached. Default `fetchMaxBytes`. */
  maxBufferedBytes: z.int().min(1).optional(),
  /** Kafka `check.crcs`. */
  checkCrcs: z.boolean().default(true),
  /** Kafka `allow.auto.create.topics`: subscribing to a topic that does not exist creates it (broker permitting). */
  allowAutoCreateTopics: z.boolean().default(true),
  /** Kafka `exclude.internal.topics`: pattern subscriptions never match `__consumer_offsets` and the like. */
  excludeInternalTopics: z.boolean().default(true),
  /** Kafka `client.rack`: sent with the subscription (consumer protocol v3) and in fetches. */
  clientRack: z.string().min(1).optional(),
  /** Kafka `key.deserializer`: default none (keys are Buffers). */
  keyDeserializer: z.custom<Deserializer<unknown>>(isDeserializer, { error: 'expected a deserializer: an object with a deserialize(buf, ctx) method' }).optional(),
  /** Kafka `value.deserializer`: default none (values are Buffers). */
  valueDeserializer: z.custom<Deserializer<unknown>>(isDeserializer, { error: 'expected a deserializer: an object with a deserialize(buf, ctx) method' }).optional(),
})

/** Consumer options after validation, with defaults filled in. */
export type ResolvedConsumerOptions = z.output<typeof consumerOptionsSchema> & { rebalanceTimeoutMs: number; maxBufferedBytes: number }

/**
 * Options for `new Consumer(...)`, as a user writes them. `K` and `V` are the key and value types the
 * deserializers produce (Buffers without them).
 */
export type ConsumerOptions<K = Buffer | null, V = Buffer | null> = Omit<
  z.input<typeof consumerOptionsSchema>,
  'keyDeserializer' | 'valueDeserializer' | 'partitionAssignmentStrategy'
> & {
  keyDeserializer?: Deserializer<K>
  valueDeserializer?: Deserializer<V>
  partitionAssignmentStrategy?: (BuiltinAssignorName | Assignor)[]
}

/**
 * Validates consumer options once, filling in defaults; throws `OptionsError` naming every problem.
 *
 * @example
 * ```ts
 * const options = parseConsumerOptions({ bootstrapServers: 'localhost:9092', groupId: 'billing' })
 * options.isolationLevel // 'read_committed'
 * ```
 */
export function parseConsumerOptions(input: unknown): ResolvedConsumerOptions {
  const schema = consumerOptionsSchema.superRefine((o, ctx) => {
    if (o.heartbeatIntervalMs >= o.sessionTimeoutMs) {
      ctx.addIssue({ code: 'custom', path: ['heartbeatIntervalMs'], message: `must be lower than sessionTimeoutMs (${o.sessionTimeoutMs})` })
    }
    if (o.groupInstanceId !== undefined && o.groupId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['groupInstanceId'], message: 'needs a groupId' })
    }
    const names = o.partitionAssignmentStrategy.map((s) => (typeof s === 'string' ? s : s.name))
    const duplicate = names.find((n, i) => names.indexOf(n) !== i)
    if (duplicate) ctx.addIssue({ code: 'custom', path: ['partitionAssignmentStrategy'], message: `lists "${duplicate}" twice` })
  })
  const o = parseOptions(schema, input, 'Consumer')
  return { ...o, rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? o.maxPollIntervalMs, maxBufferedBytes: o.maxBufferedBytes ?? o.fetchMaxBytes }
}
