import { KafkaError } from '../errors/kafka-error.js'

/**
 * MurmurHash2 exactly as the Java Kafka client computes it (seed 0x9747b28c, little-endian 4-byte
 * blocks, signed 32-bit result), so keyed records land on the same partition from every client.
 */

const M = 0x5bd1e995
const SEED = 0x9747b28c

/**
 * The Java client's murmur2 of `key`, as a signed 32-bit integer.
 *
 * @example
 * ```ts
 * murmur2(Buffer.from('21')) // -973932308
 * ```
 */
export function murmur2(key: Uint8Array): number {
  const length = key.length
  let h = SEED ^ length
  const blocks = length & ~3
  for (let i = 0; i < blocks; i += 4) {
    let k = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24)
    k = Math.imul(k, M)
    k ^= k >>> 24
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  const rest = length & 3
  if (rest > 0) {
    if (rest === 3) h ^= key[blocks + 2]! << 16
    if (rest >= 2) h ^= key[blocks + 1]! << 8
    h ^= key[blocks]!
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/**
 * Clears the sign bit, as the Java client does (not `Math.abs`, which would differ for negatives).
 *
 * @example
 * ```ts
 * toPositive(-973932308) // 1173551340
 * ```
 */
export function toPositive(n: number): number {
  return n & 0x7fffffff
}

/**
 * The partition the Java client's default partitioner picks for a keyed record:
 * `toPositive(murmur2(key)) % numPartitions`. String keys are hashed as UTF-8, as Kafka's
 * StringSerializer writes them.
 *
 * @example
 * ```ts
 * partitionForKey('customer-42', 12)
 * ```
 */
export function partitionForKey(key: Uint8Array | string, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) throw new KafkaError(`numPartitions must be a positive integer, got ${numPartitions}`, { code: 'INVALID_ARGUMENT' })
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key
  return toPositive(murmur2(bytes)) % numPartitions
}
