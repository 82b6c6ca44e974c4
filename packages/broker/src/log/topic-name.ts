import { logError } from './errors.js'

/** Kafka's longest legal topic name. */
export const MAX_TOPIC_NAME_LENGTH = 249

const LEGAL = /^[a-zA-Z0-9._-]+$/

/** Kafka's internal topics, reported with `isInternal` in Metadata. */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state'])

/**
 * Checks a topic name as Kafka does: 1 to 249 characters from `[a-zA-Z0-9._-]`, and not `.` or `..`.
 *
 * @throws KafkaError `INVALID_TOPIC_EXCEPTION` saying what is wrong.
 * @example
 * ```ts
 * validateTopicName('orders.v1') // ok
 * validateTopicName('orders/v1') // throws INVALID_TOPIC_EXCEPTION
 * ```
 */
export function validateTopicName(name: string): void {
  const problem =
    typeof name !== 'string' || name.length === 0
      ? 'the topic name is empty'
      : name === '.' || name === '..'
        ? `topic name cannot be "${name}"`
        : name.length > MAX_TOPIC_NAME_LENGTH
          ? `the topic name is ${name.length} characters long; the limit is ${MAX_TOPIC_NAME_LENGTH}`
          : !LEGAL.test(name)
            ? `topic name "${name}" is illegal: it may contain only ASCII letters, digits, '.', '_' and '-'`
            : undefined
  if (problem) throw logError('INVALID_TOPIC_EXCEPTION', problem.charAt(0).toUpperCase() + problem.slice(1))
}

/**
 * Names that differ only in '.' versus '_' collide in Kafka's metric names, so Kafka refuses the
 * second one; this is the form both map to.
 */
export function collisionKey(name: string): string {
  return name.replace(/\./g, '_')
}
