import { SerdeError, type SerializeContext } from '@tributary/client'
import { KafkaError } from '@tributary/protocol'

/**
 * Turns a key or value into record bytes. Any `Serde` from `@tributary/client` fits (`stringSerde()`,
 * `jsonSerde()`, `msgpackSerde()`, `zodSerde(schema)`); so does any object with this one method.
 *
 * @example
 * ```ts
 * const upper: Serializer<string> = { serialize: (v) => Buffer.from(v.toUpperCase()) }
 * ```
 */
export interface Serializer<T> {
  serialize(value: T, ctx: SerializeContext): Buffer | null
}

/**
 * The serializer used when none is configured: Buffers pass through, other Uint8Arrays are viewed as
 * Buffers, strings are UTF-8, null and undefined mean no bytes. Anything else is refused, naming the
 * topic and the option that would accept it.
 */
export function defaultSerialize(value: unknown, what: 'key' | 'value', topic: string): Buffer | null {
  if (value === null || value === undefined) return null
  if (Buffer.isBuffer(value)) return value
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  const option = what === 'key' ? 'keySerializer' : 'valueSerializer'
  throw new KafkaError(
    `The ${what} of a record for topic "${topic}" is ${describe(value)}; without a ${option} it must be a Buffer, a Uint8Array, a string or null (pass ${option}: jsonSerde() from @tributary/client for objects)`,
    { code: 'SERIALIZATION_ERROR' },
  )
}

/** Runs a configured serializer, wrapping anything it throws that is not already a Kafka error. */
export function runSerializer<T>(serializer: Serializer<T>, value: T, what: 'key' | 'value', ctx: SerializeContext): Buffer | null {
  let bytes: Buffer | null
  try {
    bytes = serializer.serialize(value, ctx)
  } catch (err) {
    if (err instanceof KafkaError) throw err
    throw new SerdeError(`Could not serialize the ${what}`, { topic: ctx.topic }, [{ path: [], message: err instanceof Error ? err.message : String(err) }], err)
  }
  if (bytes !== null && !(bytes instanceof Uint8Array)) {
    throw new KafkaError(`The ${what} serializer for topic "${ctx.topic}" returned ${describe(bytes)} instead of a Buffer or null`, { code: 'SERIALIZATION_ERROR' })
  }
  return bytes === null || Buffer.isBuffer(bytes) ? bytes : Buffer.from((bytes as Uint8Array).buffer, (bytes as Uint8Array).byteOffset, (bytes as Uint8Array).byteLength)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  const t = typeof value
  return t === 'object' ? `an object (${(value as object).constructor?.name ?? 'Object'})` : `a ${t}`
}
