import { SerdeError, type Serde } from './serde.js'

/**
 * Values as UTF-8 JSON. `null` is a tombstone both ways; bytes that are not JSON fail with a
 * {@link SerdeError} naming the topic and offset.
 *
 * @example
 * ```ts
 * const serde = jsonSerde<{ id: string }>()
 * const bytes = serde.serialize({ id: 'a' }, { topic: 'orders', headers: {} }) // {"id":"a"}
 * ```
 */
export function jsonSerde<T = unknown>(): Serde<T | null> {
  return {
    serialize: (value, ctx) => {
      if (value === null) return null
      let text: string | undefined
      try {
        text = JSON.stringify(value)
      } catch (err) {
        throw new SerdeError('Value cannot be written as JSON', ctx, [{ path: [], message: (err as Error).message }], err)
      }
      if (text === undefined) throw new SerdeError('Value cannot be written as JSON', ctx, [{ path: [], message: `${typeof value} has no JSON form` }])
      return Buffer.from(text, 'utf8')
    },
    deserialize: (buf, ctx) => {
      if (buf === null) return null
      try {
        return JSON.parse(buf.toString('utf8')) as T
      } catch (err) {
        throw new SerdeError('Invalid JSON', ctx, [{ path: [], message: (err as Error).message }], err)
      }
    },
  }
}
