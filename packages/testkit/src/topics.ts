import { randomBytes } from 'node:crypto'

/**
 * A topic name no other test uses: `prefix`, a time part and random hex, all legal in Kafka names.
 *
 * @example
 * ```ts
 * const topic = randomTopic('orders') // 'orders-m3x9k2-4f1a2b3c'
 * ```
 */
export function randomTopic(prefix = 'test'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
}
