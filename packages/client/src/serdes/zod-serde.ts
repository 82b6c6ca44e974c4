import type { z } from 'zod'
import { jsonSerde } from './json-serde.js'
import { SerdeError, type Serde, type SerdeIssue } from './serde.js'

/**
 * A serde that validates values against a zod schema on both ends: before serializing (so a producer
 * cannot write an invalid record) and after deserializing (so a consumer never sees one). `inner` does
 * the byte encoding (JSON by default; {@link msgpackSerde} works too). Failures are {@link SerdeError}s
 * naming the topic, the offset when consuming, and each failing path:
 * `Invalid value for topic "orders" at offset 42: amount: expected number, received string`.
 *
 * The value is validated and then serialized as given; what a consumer receives is the schema's output
 * (defaults filled, transforms applied).
 *
 * @example
 * ```ts
 * const Order = z.object({ id: z.string(), amount: z.number() })
 * const orders = zodSerde(Order)
 * const bytes = orders.serialize({ id: 'o-1', amount: 42 }, { topic: 'orders', headers: {} })
 * ```
 */
export function zodSerde<S extends z.ZodType>(schema: S, inner: Serde<unknown> = jsonSerde()): Serde<z.output<S>> {
  return {
    serialize(value, ctx) {
      const result = schema.safeParse(value)
      if (!result.success) throw new SerdeError('Invalid value', ctx, toIssues(result.error.issues), result.error)
      return inner.serialize(value, ctx)
    },
    deserialize(buf, ctx) {
      const decoded = inner.deserialize(buf, ctx)
      const result = schema.safeParse(decoded)
      if (!result.success) throw new SerdeError('Invalid value', ctx, toIssues(result.error.issues), result.error)
      return result.data
    },
  }
}

function toIssues(issues: readonly z.core.$ZodIssue[]): SerdeIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'number' ? p : String(p))),
    message: issue.message.replace(/^Invalid input: /, ''),
  }))
}
