import type { Serde } from './serde.js'

/**
 * Strings as bytes in `encoding` (UTF-8 by default), as Kafka's StringSerializer writes them.
 *
 * @example
 * ```ts
 * const serde = stringSerde()
 * serde.deserialize(serde.serialize('héllo', { topic: 't', headers: {} }), { topic: 't', headers: {} }) // 'héllo'
 * ```
 */
export function stringSerde(encoding: BufferEncoding = 'utf8'): Serde<string | null> {
  return {
    serialize: (value) => (value === null ? null : Buffer.from(value, encoding)),
    deserialize: (buf) => (buf === null ? null : buf.toString(encoding)),
  }
}
