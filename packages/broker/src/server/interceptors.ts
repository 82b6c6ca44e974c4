import { setTimeout as sleep } from 'node:timers/promises'

/** A request as an interceptor sees it, before its handler runs. */
export interface InterceptedRequest {
  apiKey: number
  /** The API's name, e.g. `'Produce'`. */
  apiName: string
  apiVersion: number
  correlationId: number
  clientId: string | null
  /** The connection's id, counting from 1; requests on one connection share it. */
  connectionId: number
  /** The decoded request body: the codec's request type for `apiKey` (e.g. `ProduceRequest`). */
  request: unknown
}

/**
 * What to do with an intercepted request. Empty (or nothing returned): proceed.
 * - `delayMs`: wait first (later requests on the same connection wait too, as on a slow broker);
 *   combines with the other fields.
 * - `drop`: never answer; the handler does not run.
 * - `disconnect`: close the connection when this request's turn to be answered comes; the handler
 *   does not run.
 * - `errorCode`: answer with this error code (through the handler's error response) without running it.
 * - `afterHandle`: run the handler (a produce is appended), then lose the response: `'drop'` never
 *   answers, `'disconnect'` closes the connection instead of answering.
 */
export interface InterceptAction {
  delayMs?: number
  drop?: boolean
  disconnect?: boolean
  errorCode?: number
  afterHandle?: 'drop' | 'disconnect'
}

/**
 * Sees every request the broker serves, before its handler, for fault injection in tests. May be
 * async. With several interceptors, each runs in turn (delays add up) until one returns an action
 * other than a delay.
 *
 * @example
 * ```ts
 * // Lose the first produce response after appending it: the producer must retry without duplicating.
 * let lost = false
 * const remove = broker.intercept((r) => {
 *   if (r.apiName === 'Produce' && !lost) { lost = true; return { afterHandle: 'disconnect' } }
 * })
 * ```
 */
export type RequestInterceptor = (request: InterceptedRequest) => InterceptAction | void | Promise<InterceptAction | void>

/** The broker's interceptors, in the order they were added. */
export class InterceptorChain {
  private readonly interceptors: RequestInterceptor[] = []

  /** Adds an interceptor; returns the function that removes it. */
  add(interceptor: RequestInterceptor): () => void {
    this.interceptors.push(interceptor)
    return () => {
      const at = this.interceptors.indexOf(interceptor)
      if (at >= 0) this.interceptors.splice(at, 1)
    }
  }

  get isEmpty(): boolean {
    return this.interceptors.length === 0
  }

  /**
   * Runs the interceptors and any delays they ask for (cut short when `signal` aborts), returning
   * the decisive action, or an empty one to proceed.
   */
  async run(request: InterceptedRequest, signal: AbortSignal): Promise<Omit<InterceptAction, 'delayMs'>> {
    for (const interceptor of [...this.interceptors]) {
      const action = (await interceptor(request)) ?? {}
      if (action.delayMs !== undefined && action.delayMs > 0) await sleep(action.delayMs, undefined, { signal }).catch(() => undefined)
      const { delayMs: _delay, ...rest } = action
      if (rest.drop || rest.disconnect || rest.errorCode !== undefined || rest.afterHandle !== undefined) return rest
    }
    return {}
  }
}
