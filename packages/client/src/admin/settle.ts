import { KafkaError } from '@tributary/protocol'
import type { Cluster } from '../cluster/cluster.js'
import { KafkaAggregateError } from '../errors/aggregate-error.js'
import { backoffDelay } from '../retry/backoff.js'
import { sleep } from '../retry/sleep.js'

/** Per-call settings of admin operations. */
export interface AdminCallOptions {
  /** The time the whole call (with retries) may take; default `defaultApiTimeoutMs`. */
  timeoutMs?: number
  signal?: AbortSignal
}

/** One attempt's answer for each element: its result, or its error. */
export type Outcomes<K, R> = Map<K, R | KafkaError>

/**
 * Runs a multi-element admin operation until every element has a final outcome. Each attempt gets the
 * elements still pending and answers for each; retriable element errors (NOT_CONTROLLER,
 * NOT_LEADER_OR_FOLLOWER, …) are retried after the backoff, with the cluster told of them first so it
 * refreshes metadata or forgets coordinators; other element errors are final. A retriable error thrown
 * by the whole attempt (a lost connection) retries every pending element; a fatal one is thrown as is.
 *
 * Resolves with the results by element when all succeed; otherwise rejects with one
 * {@link KafkaAggregateError} keyed by each failed element's path.
 */
export async function settle<K, R>(
  cluster: Cluster,
  operation: string,
  elements: readonly K[],
  pathOf: (element: K) => string,
  attempt: (pending: K[]) => Promise<Outcomes<K, R>>,
  options: AdminCallOptions = {},
): Promise<Map<K, R>> {
  const { retries, retryBackoffMs, retryBackoffMaxMs, defaultApiTimeoutMs, random } = cluster.options
  const timeoutMs = options.timeoutMs ?? defaultApiTimeoutMs
  const started = Date.now()
  const results = new Map<K, R>()
  const failures = new Map<string, KafkaError>()
  let pending = [...new Set(elements)]
  for (let round = 0; pending.length > 0; round++) {
    const delay = backoffDelay(round, { initialMs: retryBackoffMs, maxMs: retryBackoffMaxMs }, random)
    const exhausted = round >= retries || Date.now() + delay - started >= timeoutMs
    let outcomes: Outcomes<K, R>
    try {
      outcomes = await attempt(pending)
    } catch (err) {
      if (!(err instanceof KafkaError) || !err.retriable || exhausted) throw err
      cluster.handleError(err)
      await sleep(delay, options.signal)
      continue
    }
    const again: K[] = []
    for (const element of pending) {
      const outcome =
        outcomes.get(element) ??
        new KafkaError(`The broker's response said nothing about ${pathOf(element)}`, { code: 'MISSING_RESPONSE' })
      if (!(outcome instanceof KafkaError)) results.set(element, outcome)
      else if (outcome.retriable && !exhausted) {
        cluster.handleError(outcome)
        again.push(element)
      } else failures.set(pathOf(element), outcome)
    }
    pending = again
    if (pending.length > 0) await sleep(delay, options.signal)
  }
  if (failures.size > 0) throw new KafkaAggregateError(operation, failures)
  return results
}

/** The same error, made final: an admin call stops retrying it (a topic that does not exist, say). */
export function finalError(err: KafkaError): KafkaError {
  return err.retriable ? new KafkaError(err.message, { code: err.code, retriable: false, cause: err }) : err
}
