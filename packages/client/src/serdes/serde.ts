import { KafkaError } from '@tributary/protocol'

/** What a serializer knows about the record being written. */
export interface SerializeContext {
  topic: string
  headers: Record<string, string | Buffer | undefined>
}

/** What a deserializer knows about the record being read. */
export interface DeserializeContext {
  topic: string
  partition?: number
  /** The record's offset when consuming. */
  offset?: bigint | number
  headers: Record<string, string | Buffer | undefined>
}

/**
 * Turns values into record bytes and back. `null` bytes are a record without a value (a tombstone in a
 * compacted topic); built-in serdes map `null` to `null` both ways.
 *
 * @example
 * ```ts
 * const upper: Serde<string | null> = {
 *   serialize: (value) => (value === null ? null : Buffer.from(value.toUpperCase())),
 *   deserialize: (buf) => (buf === null ? null : buf.toString()),
 * }
 * ```
 */
export interface Serde<T> {
  serialize(value: T, ctx: SerializeContext): Buffer | null
  deserialize(buf: Buffer | null, ctx: DeserializeContext): T
}

/** One reason a value was rejected: where in the value, and what was wrong. */
export interface SerdeIssue {
  /** Path into the value, e.g. `['items', 0, 'price']`; empty for the value itself. */
  path: (string | number)[]
  message: string
}

/**
 * A value could not be serialized or deserialized: invalid against its schema, or undecodable bytes.
 * The message names the topic, the offset when consuming, and each failing path, e.g.
 * `Invalid value for topic "orders" at offset 42: amount: expected number, received string`.
 */
export class SerdeError extends KafkaError {
  readonly topic: string
  readonly partition: number | undefined
  readonly offset: bigint | number | undefined
  readonly issues: readonly SerdeIssue[]

  constructor(
    summary: string,
    ctx: { topic: string; partition?: number; offset?: bigint | number },
    issues: readonly SerdeIssue[],
    cause?: unknown,
  ) {
    const where = `topic "${ctx.topic}"${ctx.offset !== undefined ? ` at offset ${ctx.offset}` : ''}`
    const details = issues.map((i) => (i.path.length > 0 ? `${formatPath(i.path)}: ${i.message}` : i.message)).join('; ')
    super(`${summary} for ${where}: ${details}`, { code: 'SERDE_ERROR', cause })
    this.topic = ctx.topic
    this.partition = ctx.partition
    this.offset = ctx.offset
    this.issues = issues
  }
}

/**
 * `items[0].price` style rendering of a value path.
 *
 * @example
 * ```ts
 * formatPath(['items', 0, 'price']) // 'items[0].price'
 * ```
 */
export function formatPath(path: readonly (string | number)[]): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out.length === 0 ? part : `.${part}`
  }
  return out
}
