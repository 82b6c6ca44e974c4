/**
 * Kafka places a group's state in the `__consumer_offsets` partition picked by the group id's Java
 * `String.hashCode()`, made non-negative and taken modulo the partition count. Reproducing it
 * exactly keeps a data directory's layout the same as Kafka's, and lets tools that compute the
 * partition themselves find a group where we put it.
 */

/**
 * Java's `String.hashCode()`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, in 32-bit
 * two's-complement arithmetic.
 *
 * @example
 * ```ts
 * javaStringHashCode('') // 0
 * javaStringHashCode('my-group') // the same int Java returns for "my-group".hashCode()
 * ```
 */
export function javaStringHashCode(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0
  return h
}

/**
 * Kafka's `Utils.abs`: the absolute value, except that `Integer.MIN_VALUE` (which has no positive
 * counterpart in 32 bits) maps to 0.
 */
export function kafkaAbs(n: number): number {
  return n === -0x8000_0000 ? 0 : Math.abs(n)
}

/**
 * The `__consumer_offsets` (or `__transaction_state`) partition that holds `key`'s state:
 * `abs(hashCode(key)) % partitions`, as Kafka computes it.
 *
 * @example
 * ```ts
 * partitionForKey('billing', 50) // 0..49, the partition Kafka would pick
 * ```
 */
export function partitionForKey(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions <= 0) throw new RangeError(`The partition count must be a positive integer, got ${partitions}`)
  return kafkaAbs(javaStringHashCode(key)) % partitions
}
