import { KafkaError } from '@tributary/protocol'
import type { ProducerStateConfig } from '../producers/manager.js'

/**
 * The transaction coordinator's settings, under Kafka's broker config names (given through
 * `BrokerOptions.configs`), with Kafka's defaults.
 */
export interface TransactionConfig {
  /** `transaction.max.timeout.ms`: InitProducerId asking for a longer transaction timeout answers INVALID_TRANSACTION_TIMEOUT. */
  maxTimeoutMs: number
  /** `transactional.id.expiration.ms`: a transactional id idle this long (no transaction open) is removed. */
  transactionalIdExpirationMs: number
  /** `transaction.abort.timed.out.transaction.cleanup.interval.ms`: how often timed-out transactions are aborted; 0 turns it off. */
  abortTimedOutIntervalMs: number
  /** `transaction.remove.expired.transaction.cleanup.interval.ms`: how often expired transactional ids are removed; 0 turns it off. */
  removeExpiredIntervalMs: number
}

/** Kafka's defaults. */
export const DEFAULT_TRANSACTION_CONFIG: Readonly<TransactionConfig> = Object.freeze({
  maxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 604_800_000,
  abortTimedOutIntervalMs: 10_000,
  removeExpiredIntervalMs: 3_600_000,
})

const INT_MAX = 2 ** 31 - 1

function reader(settings: ReadonlyMap<string, { value: string }>) {
  return (name: string, fallback: number, min: number): number => {
    const raw = settings.get(name)?.value
    if (raw === undefined || raw === '') return fallback
    const n = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN
    if (!Number.isSafeInteger(n) || n < min || n > INT_MAX) {
      throw new KafkaError(`Invalid broker option configs['${name}']: ${JSON.stringify(raw)}; expected an integer from ${min} to ${INT_MAX}`, { code: 'INVALID_CONFIG' })
    }
    return n
  }
}

/**
 * Reads the transaction settings from the broker's resolved settings (name → value strings).
 *
 * @throws KafkaError `INVALID_CONFIG` naming the setting, the value and what is allowed.
 * @example
 * ```ts
 * transactionConfigFromSettings(new Map([['transaction.max.timeout.ms', { value: '60000' }]])).maxTimeoutMs // 60000
 * ```
 */
export function transactionConfigFromSettings(settings: ReadonlyMap<string, { value: string }>): TransactionConfig {
  const read = reader(settings)
  const d = DEFAULT_TRANSACTION_CONFIG
  return {
    maxTimeoutMs: read('transaction.max.timeout.ms', d.maxTimeoutMs, 1),
    transactionalIdExpirationMs: read('transactional.id.expiration.ms', d.transactionalIdExpirationMs, 1),
    abortTimedOutIntervalMs: read('transaction.abort.timed.out.transaction.cleanup.interval.ms', d.abortTimedOutIntervalMs, 0),
    removeExpiredIntervalMs: read('transaction.remove.expired.transaction.cleanup.interval.ms', d.removeExpiredIntervalMs, 0),
  }
}

/**
 * Reads the producer state settings (`producer.id.expiration.ms`, default one day, and
 * `producer.id.expiration.check.interval.ms`, default ten minutes) from the broker's settings.
 *
 * @throws KafkaError `INVALID_CONFIG` naming the setting, the value and what is allowed.
 */
export function producerStateConfigFromSettings(settings: ReadonlyMap<string, { value: string }>): ProducerStateConfig {
  const read = reader(settings)
  return {
    producerIdExpirationMs: read('producer.id.expiration.ms', 86_400_000, 1),
    expirationCheckIntervalMs: read('producer.id.expiration.check.interval.ms', 600_000, 0),
  }
}
