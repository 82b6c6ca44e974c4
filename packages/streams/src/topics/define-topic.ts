import { jsonSerde, msgpackSerde, stringSerde, zodSerde, type Serde } from '@tributary/client'
import type { z } from 'zod'

/** How a topic's keys or values are written: UTF-8 text, JSON, or MessagePack. */
export type TopicFormat = 'string' | 'json' | 'msgpack'

/** What a key or value may be described with: a zod schema (validated both ways) or any `Serde`. */
export type TopicSchema = z.ZodType | Serde<any>

/** The type a schema produces, or `D` without one. */
export type SchemaOutput<S, D> = [S] extends [undefined] ? D : S extends z.ZodType ? z.output<S> : S extends Serde<infer T> ? T : D

/**
 * A topic with typed keys and values. Records that cannot be decoded or fail their schema go to the
 * dead-letter topic (`<name>-dlq` unless configured) instead of stopping the pipeline.
 */
export interface TopicDefinition<K, V> {
  readonly name: string
  /** Where invalid input records go; false when they should fail the pipeline instead. */
  readonly deadLetterTopic: string | false
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
}

/** Options of {@link defineTopic}. */
export interface TopicOptions<KS extends TopicSchema | undefined, VS extends TopicSchema | undefined> {
  /** The key's schema. Default: keys are UTF-8 strings (null for records without a key). */
  key?: KS
  /** The value's schema. Default: values stay Buffers. */
  value?: VS
  /** How keys described by a zod schema are written. Default `'string'` (the schema sees the UTF-8 text). */
  keyFormat?: TopicFormat
  /** How values described by a zod schema are written. Default `'json'`. */
  valueFormat?: TopicFormat
  /** Where invalid input records go: a topic name, or false to fail the pipeline. Default `<name>-dlq`. */
  deadLetterTopic?: string | false
}

/** Topics are named by a definition or, for raw Buffer keys and values, by name alone. */
export type TopicInput = string | TopicDefinition<any, any>

/** The key type of a topic input. */
export type KeyOf<T> = T extends TopicDefinition<infer K, any> ? K : Buffer | null
/** The value type of a topic input. */
export type ValueOf<T> = T extends TopicDefinition<any, infer V> ? V : Buffer | null
/** What may be written as a key of a topic: its definition's key type, or bytes or a string for a topic named only. */
export type OutputKeyOf<T> = T extends TopicDefinition<infer K, any> ? K : Uint8Array | string | null
/** What may be written as a value of a topic: its definition's value type, or bytes or a string for a topic named only. */
export type OutputValueOf<T> = T extends TopicDefinition<any, infer V> ? V : Uint8Array | string | null

const isZod = (s: unknown): s is z.ZodType => typeof s === 'object' && s !== null && typeof (s as { safeParse?: unknown }).safeParse === 'function'

function inner(format: TopicFormat): Serde<unknown> {
  if (format === 'json') return jsonSerde() as Serde<unknown>
  if (format === 'msgpack') return msgpackSerde() as Serde<unknown>
  return stringSerde() as Serde<unknown>
}

function serdeFor(schema: TopicSchema | undefined, format: TopicFormat, fallback: Serde<any>): Serde<any> {
  if (schema === undefined) return fallback
  return isZod(schema) ? zodSerde(schema, inner(format)) : schema
}

/** Bytes as they are: Buffers, Uint8Arrays and strings (UTF-8) in; Buffers out. */
export const rawSerde: Serde<Buffer | null> = {
  serialize: (value) => {
    if (value === null || value === undefined) return null
    if (Buffer.isBuffer(value)) return value
    if ((value as unknown) instanceof Uint8Array) return Buffer.from((value as Uint8Array).buffer, (value as Uint8Array).byteOffset, (value as Uint8Array).byteLength)
    if (typeof value === 'string') return Buffer.from(value, 'utf8')
    throw new TypeError(`expected a Buffer, Uint8Array, string or null, got ${typeof value}; name the topic in the runner's outputs (or define it) to have it encoded`)
  },
  deserialize: (buf) => buf,
}

/**
 * Defines a topic with typed keys and values. With zod schemas, values are validated when read (an
 * invalid record goes to the dead-letter topic) and when written (an invalid output fails the
 * pipeline: it is a bug, not bad input); the pipeline's record types follow from the schemas.
 *
 * @example
 * ```ts
 * const Order = z.object({ id: z.string(), customer: z.string(), amount: z.number().positive() })
 * const orders = defineTopic('orders', { value: Order })        // keys: strings; values: JSON orders
 * const totals = defineTopic('totals', { value: z.object({ total: z.number() }), valueFormat: 'msgpack', deadLetterTopic: false })
 * ```
 * @param name - the topic's name
 * @param options - key and value schemas, formats and the dead-letter topic
 */
export function defineTopic<KS extends TopicSchema | undefined = undefined, VS extends TopicSchema | undefined = undefined>(
  name: string,
  options: TopicOptions<KS, VS> = {},
): TopicDefinition<SchemaOutput<KS, string | null>, SchemaOutput<VS, Buffer | null>> {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('defineTopic() needs a topic name')
  return {
    name,
    deadLetterTopic: options.deadLetterTopic === undefined ? `${name}-dlq` : options.deadLetterTopic,
    keySerde: serdeFor(options.key, options.keyFormat ?? 'string', stringSerde()),
    valueSerde: serdeFor(options.value, options.valueFormat ?? 'json', rawSerde),
  }
}

/** A topic input as a definition: names stand for raw Buffer keys and values (no dead-letter topic). */
export function asTopic<T extends TopicInput>(topic: T): TopicDefinition<KeyOf<T>, ValueOf<T>> {
  if (typeof topic !== 'string') return topic as TopicDefinition<KeyOf<T>, ValueOf<T>>
  return { name: topic, deadLetterTopic: false, keySerde: rawSerde, valueSerde: rawSerde } as TopicDefinition<KeyOf<T>, ValueOf<T>>
}
