import { KafkaError } from '@tributary/protocol'
import { formatBrokerAddress } from './address.js'
import type { BrokerNode } from './metadata.js'

/** Which coordinator: of a consumer group, or of a transactional id. */
export type CoordinatorType = 'group' | 'transaction'

/** The FindCoordinator key type of each coordinator type. */
export const COORDINATOR_KEY_TYPE: Record<CoordinatorType, number> = { group: 0, transaction: 1 }

/** Looks up coordinators for several keys of one type, each answered with its node or its error. */
export type CoordinatorLookup = (type: CoordinatorType, keys: string[]) => Promise<Map<string, BrokerNode | KafkaError>>

/**
 * Coordinators by type and key, cached until invalidated (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, a
 * lost connection). Concurrent lookups of the same key share one request, and lookups of several keys
 * go out together (one batched FindCoordinator on v4+).
 */
export class CoordinatorCache {
  private readonly known = new Map<string, BrokerNode>()
  private readonly inFlight = new Map<string, Promise<BrokerNode>>()

  constructor(private readonly lookup: CoordinatorLookup) {}

  /** The coordinator for one key. Rejects with the lookup's error (COORDINATOR_NOT_AVAILABLE is retriable). */
  async get(type: CoordinatorType, key: string): Promise<BrokerNode> {
    const [result] = await this.getMany(type, [key])
    if (result instanceof Error) throw result
    return result!
  }

  /** The coordinators for several keys, in order; each is a node or the error of its lookup. */
  async getMany(type: CoordinatorType, keys: readonly string[]): Promise<(BrokerNode | KafkaError)[]> {
    const missing = [...new Set(keys.filter((k) => !this.known.has(id(type, k)) && !this.inFlight.has(id(type, k))))]
    if (missing.length > 0) {
      const batch = this.lookup(type, missing)
      for (const key of missing) {
        const one = batch.then((results) => {
          const result = results.get(key)
          if (!result) throw new KafkaError(`FindCoordinator returned no answer for ${type} "${key}"`, { code: 'COORDINATOR_NOT_AVAILABLE', retriable: true })
          if (result instanceof Error) throw result
          this.known.set(id(type, key), result)
          return result
        })
        const clear = () => this.inFlight.delete(id(type, key))
        one.then(clear, clear)
        this.inFlight.set(id(type, key), one)
      }
    }
    return Promise.all(
      keys.map((key) => {
        const cached = this.known.get(id(type, key))
        if (cached) return cached
        return this.inFlight.get(id(type, key))!.catch((err: KafkaError) => err)
      }),
    )
  }

  /** Forgets the coordinator of one key. */
  invalidate(type: CoordinatorType, key: string): void {
    this.known.delete(id(type, key))
  }

  /** Forgets every coordinator at `address` (`host:port`: its connection was lost). */
  invalidateAddress(address: string): void {
    for (const [k, node] of this.known) if (formatBrokerAddress(node) === address) this.known.delete(k)
  }

  clear(): void {
    this.known.clear()
  }
}

const id = (type: CoordinatorType, key: string) => `${type}\u0000${key}`
