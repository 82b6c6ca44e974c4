import { clientOptionsSchema, OptionsError, parseOptions, type ClientOptions, type ResolvedClientOptions } from '@tributary/client'
import type { CompressionCodec } from '@tributary/protocol'
import { z } from 'zod'
import type { ProducerInterceptor } from './interceptors.js'
import type { PartitionerFunction } from './partitioners/types.js'
import type { ProducerKey, ProducerValue } from './record.js'
import type { Serializer } from './serialization.js'

const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const
const MAX_INT = 2_147_483_647

const compression = z.enum(COMPRESSIONS)
const isFunction = (v: unknown): boolean => typeof v === 'function'
const isSerializer = (v: unknown): boolean => typeof v === 'object' && v !== null && typeof (v as { serialize?: unknown }).serialize === 'function'
const isInterceptor = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && ['configure', 'onSend', 'onAcknowledgement', 'close'].every((m) => (v as Record<string, unknown>)[m] === undefined || isFunction((v as Record<string, unknown>)[m]))

/**
 * The producer's options: everything `clientOptionsSchema` accepts plus Kafka's producer configs in
 * camelCase, with Kafka 4.0's defaults. Settings that decide whether idempotence is on (`acks`,
 * `retries`, `maxInFlightRequestsPerConnection`, `enableIdempotence`) stay optional here so that
 * {@link parseProducerOptions} can tell explicit settings from defaults, as the Java client does.
 *
 * @example
 * ```ts
 * producerOptionsSchema.shape.lingerMs.parse(undefined) // 5
 * const lenient = producerOptionsSchema.partial() // e.g. to validate a config file fragment
 * ```
 */
export const producerOptionsSchema = clientOptionsSchema.extend({
  /** How many acknowledgements the leader waits for: `'all'` (= -1, every in-sync replica), 1 (the leader) or 0 (none). */
  acks: z.union([z.literal('all'), z.literal(-1), z.literal(0), z.literal(1)], { error: "expected 'all', -1, 0 or 1" }).optional(),
  /** How long a partition's batch waits for more records before it is sent. */
  lingerMs: z.int().min(0).default(5),
  /** Bytes of records per partition batch (before compression); a larger record gets a batch of its own. */
  batchSize: z.int().min(0).max(MAX_INT).default(16_384),
  /** Bytes of records the producer holds (accepted, not yet acknowledged) before `send` waits. */
  bufferMemory: z.int().min(1).default(33_554_432),
  /** How long `send` may wait for buffer memory or for the topic's metadata before it rejects. */
  maxBlockMs: z.int().min(0).default(60_000),
  compression: compression.optional(),
  /** Kafka's `compression.type`; the same as `compression`. */
  compressionType: compression.optional(),
  /** gzip (1-9) or zstd (1-22) level; the codec's default when absent. */
  compressionLevel: z.int().min(1).max(22).optional(),
  /** The largest Produce request, and so the largest record. */
  maxRequestSize: z.int().min(1).default(1_048_576),
  /** The most time from `send` to the outcome, retries included. At least `lingerMs + requestTimeoutMs`. */
  deliveryTimeoutMs: z.int().min(1).optional(),
  retries: z.int().min(0).optional(),
  enableIdempotence: z.boolean().optional(),
  maxInFlightRequestsPerConnection: z.int().min(1).optional(),
  transactionalId: z.string().min(1).optional(),
  transactionTimeoutMs: z.int().min(1).default(60_000),
  /** Whether Metadata requests for unknown topics may create them (Kafka `allow.auto.create.topics`). */
  allowAutoCreateTopics: z.boolean().default(true),
  partitioner: z
    .union([z.enum(['murmur2', 'round-robin']), z.custom<PartitionerFunction>(isFunction)], { error: "expected 'murmur2', 'round-robin' or a function (record, { topic, partitions }) => partition" })
    .default('murmur2'),
  interceptors: z.array(z.custom<ProducerInterceptor>(isInterceptor, { error: 'expected an object with optional configure, onSend, onAcknowledgement and close methods' })).default(() => []),
  keySerializer: z.custom<Serializer<unknown>>(isSerializer, { error: 'expected a serializer: an object with a serialize(value, ctx) method, such as a Serde' }).optional(),
  valueSerializer: z.custom<Serializer<unknown>>(isSerializer, { error: 'expected a serializer: an object with a serialize(value, ctx) method, such as a Serde' }).optional(),
})

type SchemaInput = z.input<typeof producerOptionsSchema>

/**
 * Options of `new Producer(options)`: Kafka's producer configs in camelCase (`acks`, `lingerMs`,
 * `batchSize`, `compression`, `enableIdempotence`, `transactionalId`, …) plus the client options
 * (`bootstrapServers`, `clientId`, `requestTimeoutMs`, `ssl`, `sasl`, `logger`, …). `K` and `V` are the
 * key and value types `send` takes, decided by the serializers.
 *
 * @example
 * ```ts
 * const options: ProducerOptions<string, Order> = { bootstrapServers: 'localhost:9092', lingerMs: 10, valueSerializer: jsonSerde<Order>() }
 * ```
 */
export interface ProducerOptions<K = ProducerKey, V = ProducerValue>
  extends Omit<SchemaInput, 'keySerializer' | 'valueSerializer' | 'interceptors' | 'partitioner' | keyof ClientOptions>,
    ClientOptions {
  /** Turns keys into bytes. Default: Buffers, Uint8Arrays and strings (UTF-8) as they are. */
  keySerializer?: Serializer<K>
  /** Turns values into bytes. Default: Buffers, Uint8Arrays and strings (UTF-8) as they are. */
  valueSerializer?: Serializer<V>
  /** Called in order on every record sent and acknowledged. */
  interceptors?: ProducerInterceptor<K, V>[]
  /**
   * `'murmur2'` (default): a record's own partition, else murmur2 of the serialized key as the Java
   * client, else the sticky partition (KIP-480). `'round-robin'`: every partition in turn, keys ignored.
   * Or a function choosing the partition.
   */
  partitioner?: 'murmur2' | 'round-robin' | PartitionerFunction<K, V>
}

/** The producer's options after validation, with every default filled in and the idempotence decision made. */
export interface ResolvedProducerOptions extends ResolvedClientOptions {
  acks: -1 | 0 | 1
  lingerMs: number
  batchSize: number
  bufferMemory: number
  maxBlockMs: number
  compression: CompressionCodec
  compressionLevel: number | undefined
  maxRequestSize: number
  deliveryTimeoutMs: number
  retries: number
  /** Whether batches carry a producer id and sequence numbers. */
  enableIdempotence: boolean
  /** Whether idempotence was asked for (explicitly, or by `transactionalId`) rather than defaulted. */
  idempotenceRequired: boolean
  maxInFlightRequestsPerConnection: number
  transactionalId: string | undefined
  transactionTimeoutMs: number
  allowAutoCreateTopics: boolean
  partitioner: 'murmur2' | 'round-robin' | PartitionerFunction<any, any>
  interceptors: ProducerInterceptor<any, any>[]
  keySerializer: Serializer<any> | undefined
  valueSerializer: Serializer<any> | undefined
}

const shown = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v))

/**
 * Validates producer options once and resolves them: defaults, `acks: 'all'` as -1, `compressionType`
 * folded into `compression`, and whether idempotence is on. As in the Java client, idempotence is on by
 * default but quietly off when `acks`, `retries` or `maxInFlightRequestsPerConnection` are set to values
 * it cannot work with; when it is asked for (`enableIdempotence: true` or a `transactionalId`), such
 * settings are an error naming both options.
 *
 * @throws OptionsError listing every problem: the option, its value and what is allowed.
 * @example
 * ```ts
 * parseProducerOptions({ bootstrapServers: 'localhost:9092', enableIdempotence: true, acks: 1 })
 * // OptionsError: Invalid Producer options:
 * //   - acks is 1: enableIdempotence: true requires acks: 'all'; set acks: 'all' or enableIdempotence: false
 * ```
 */
export function parseProducerOptions(input: unknown): ResolvedProducerOptions {
  const o = parseOptions(producerOptionsSchema, input, 'Producer')
  const problems: string[] = []
  const acks = o.acks === undefined || o.acks === 'all' ? -1 : o.acks
  const txn = o.transactionalId
  const required = o.enableIdempotence === true || txn !== undefined
  const why = o.enableIdempotence === true ? 'enableIdempotence: true' : `transactionalId ${shown(txn)}`
  if (txn !== undefined && o.enableIdempotence === false) {
    problems.push(`enableIdempotence is false: transactionalId ${shown(txn)} requires idempotence; remove enableIdempotence: false or the transactionalId`)
  }
  const conflicts: string[] = []
  if (o.acks !== undefined && acks !== -1) conflicts.push(`acks is ${shown(o.acks)}: ${why} requires acks: 'all'; set acks: 'all' or ${txn !== undefined ? 'drop the transactionalId' : 'enableIdempotence: false'}`)
  if (o.retries === 0) conflicts.push(`retries is 0: ${why} requires retries > 0; raise retries or ${txn !== undefined ? 'drop the transactionalId' : 'set enableIdempotence: false'}`)
  const inFlight = o.maxInFlightRequestsPerConnection
  if (inFlight !== undefined && inFlight > 5) {
    conflicts.push(`maxInFlightRequestsPerConnection is ${inFlight}: ${why} allows at most 5; lower it or ${txn !== undefined ? 'drop the transactionalId' : 'set enableIdempotence: false'}`)
  }
  if (required) problems.push(...conflicts)
  if (o.compression !== undefined && o.compressionType !== undefined && o.compression !== o.compressionType) {
    problems.push(`compressionType is ${shown(o.compressionType)}: it conflicts with compression ${shown(o.compression)}; set only one of them`)
  }
  const minDelivery = o.lingerMs + o.requestTimeoutMs
  if (o.deliveryTimeoutMs !== undefined && o.deliveryTimeoutMs < minDelivery) {
    problems.push(`deliveryTimeoutMs is ${o.deliveryTimeoutMs}: expected at least lingerMs + requestTimeoutMs (${minDelivery}); raise it or lower those`)
  }
  if (o.maxRequestSize > o.bufferMemory) {
    problems.push(`maxRequestSize is ${o.maxRequestSize}: expected at most bufferMemory (${o.bufferMemory})`)
  }
  if (problems.length > 0) throw new OptionsError(`Invalid Producer options:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  const enableIdempotence = required || (o.enableIdempotence !== false && conflicts.length === 0)
  return {
    ...o,
    acks,
    compression: o.compression ?? o.compressionType ?? 'none',
    compressionLevel: o.compressionLevel,
    deliveryTimeoutMs: o.deliveryTimeoutMs ?? Math.max(120_000, minDelivery),
    retries: o.retries ?? MAX_INT,
    enableIdempotence,
    idempotenceRequired: required,
    maxInFlightRequestsPerConnection: inFlight ?? 5,
    transactionalId: txn,
    keySerializer: o.keySerializer,
    valueSerializer: o.valueSerializer,
  }
}
