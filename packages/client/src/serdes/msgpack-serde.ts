import { Packr, type Options } from 'msgpackr'
import { SerdeError, type Serde } from './serde.js'

/**
 * Values as MessagePack, via msgpackr. Records/structures mode (msgpackr's own extension that shares
 * object shapes between messages) is off by default so that any MessagePack reader can decode the
 * bytes; pass `{ useRecords: true }` only when every reader uses msgpackr. 64-bit integers decode as
 * numbers when they fit exactly and as bigints otherwise, so no precision is lost.
 *
 * @example
 * ```ts
 * const serde = msgpackSerde<{ id: string; total: number }>()
 * const bytes = serde.serialize({ id: 'a', total: 42 }, { topic: 'orders', headers: {} })
 * ```
 */
export function msgpackSerde<T = unknown>(options: Options = {}): Serde<T | null> {
  const packr = new Packr({ useRecords: false, int64AsType: 'auto' as Options['int64AsType'], ...options })
  return {
    serialize: (value, ctx) => {
      if (value === null) return null
      try {
        return packr.pack(value)
      } catch (err) {
        throw new SerdeError('Value cannot be written as MessagePack', ctx, [{ path: [], message: (err as Error).message }], err)
      }
    },
    deserialize: (buf, ctx) => {
      if (buf === null) return null
      try {
        return packr.unpack(buf) as T
      } catch (err) {
        throw new SerdeError('Invalid MessagePack', ctx, [{ path: [], message: (err as Error).message }], err)
      }
    },
  }
}
