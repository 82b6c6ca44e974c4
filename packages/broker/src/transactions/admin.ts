import { TRANSACTION_STATES, partitionsByTopic, type TransactionState } from './metadata.js'
import type { TxnResult, TxnRuntime } from './runtime.js'

/** DescribeTransactions' answer for one transactional id. */
export interface TransactionDescription {
  error: TxnResult
  transactionalId: string
  state: TransactionState | ''
  timeoutMs: number
  /** -1 when no transaction is open. */
  startTimestamp: number
  producerId: bigint
  producerEpoch: number
  topics: { topic: string; partitions: number[] }[]
}

/** One ListTransactions entry. */
export interface TransactionListing {
  transactionalId: string
  producerId: bigint
  state: TransactionState
}

/** ListTransactions' filters; empty lists and a negative duration filter nothing. */
export interface ListTransactionsFilter {
  states: readonly string[]
  producerIds: readonly bigint[]
  /** v1: only transactions running for longer than this many milliseconds. */
  minDurationMs: number
}

/**
 * DescribeTransactions for one id: its state, producer id and epoch, timeout, start time and
 * partitions. Unknown ids answer TRANSACTIONAL_ID_NOT_FOUND; an empty one INVALID_REQUEST.
 */
export function describeTransaction(rt: TxnRuntime, transactionalId: string): TransactionDescription {
  const none = (error: TxnResult): TransactionDescription => ({ error, transactionalId, state: '', timeoutMs: 0, startTimestamp: -1, producerId: -1n, producerEpoch: -1, topics: [] })
  if (!rt.active) return none('COORDINATOR_NOT_AVAILABLE')
  if (transactionalId === '') return none('INVALID_REQUEST')
  const meta = rt.transactions.get(transactionalId)
  if (!meta) return none('TRANSACTIONAL_ID_NOT_FOUND')
  return {
    error: 'NONE',
    transactionalId,
    state: meta.state,
    timeoutMs: meta.timeoutMs,
    startTimestamp: meta.startTimestamp,
    producerId: meta.producerId,
    producerEpoch: meta.producerEpoch,
    topics: partitionsByTopic(meta.partitions),
  }
}

/**
 * ListTransactions: every transactional id matching the filters, as Kafka filters them (state
 * names, producer ids, and since v1 a minimum running time measured from the transaction's start).
 * State names this broker does not know are returned in `unknownStates` and match nothing.
 */
export function listTransactions(rt: TxnRuntime, filter: ListTransactionsFilter): { error: TxnResult; unknownStates: string[]; transactions: TransactionListing[] } {
  const unknownStates = filter.states.filter((s) => !(TRANSACTION_STATES as readonly string[]).includes(s))
  if (!rt.active) return { error: 'COORDINATOR_NOT_AVAILABLE', unknownStates, transactions: [] }
  const states = new Set(filter.states)
  const ids = new Set(filter.producerIds)
  const now = rt.now()
  const transactions: TransactionListing[] = []
  for (const meta of rt.transactions.values()) {
    if (meta.state === 'Dead') continue
    if (ids.size > 0 && !ids.has(meta.producerId)) continue
    if (states.size > 0 && !states.has(meta.state)) continue
    if (filter.minDurationMs >= 0 && now - meta.startTimestamp <= filter.minDurationMs) continue
    transactions.push({ transactionalId: meta.transactionalId, producerId: meta.producerId, state: meta.state })
  }
  transactions.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0))
  return { error: 'NONE', unknownStates, transactions }
}
