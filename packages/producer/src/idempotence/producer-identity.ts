import type { Cluster } from '@tributary/client'
import { InitProducerIdApi, errorForCode } from '@tributary/protocol'

/** The largest producer epoch; past it an idempotent producer needs a new producer id. */
const MAX_EPOCH = 0x7fff

/** What {@link ProducerIdentity} needs besides the cluster. */
export interface ProducerIdentitySettings {
  transactionalId: string | undefined
  transactionTimeoutMs: number
  /** How long one acquisition may take, retries included. */
  timeoutMs: number
}

/**
 * The producer id and epoch an idempotent or transactional producer stamps on its batches, obtained
 * with InitProducerId: from any broker for an idempotent producer, from the transaction coordinator of
 * the `transactionalId` for a transactional one (which also fences older producers with that id).
 *
 * A bump (after a sequence gap, KIP-360) moves to the next epoch of the same id, after which every
 * partition's sequences start again from 0: an idempotent producer bumps its epoch itself, as the Java
 * client does (brokers accept a newer epoch starting at sequence 0), and asks for a new id only when the
 * epoch is exhausted; a transactional producer sends its current id and epoch to the coordinator
 * (InitProducerId v3+; older brokers bump the epoch on any InitProducerId of the transactional id).
 *
 * @example
 * ```ts
 * const identity = new ProducerIdentity(cluster, { transactionalId: undefined, transactionTimeoutMs: 60000, timeoutMs: 60000 })
 * await identity.acquire(false)
 * console.log(identity.producerId, identity.producerEpoch)
 * ```
 */
export class ProducerIdentity {
  producerId = -1n
  producerEpoch = -1
  /** A partition's sequences have a gap: bump the epoch once no batch holds an old sequence number. */
  bumpNeeded = false
  private running: Promise<void> | undefined

  constructor(
    private readonly cluster: Cluster,
    private readonly settings: ProducerIdentitySettings,
  ) {}

  /** Whether an id has been obtained. */
  get hasId(): boolean {
    return this.producerId >= 0n
  }

  /** Whether an InitProducerId exchange is under way. */
  get busy(): boolean {
    return this.running !== undefined
  }

  /**
   * Obtains a producer id (or, with `bump`, the next epoch of the current one). Concurrent calls share
   * one exchange. Rejects with the broker's error (fencing, authorization, an unsupported API) or the
   * last retriable one when `timeoutMs` runs out.
   */
  acquire(bump: boolean): Promise<void> {
    if (bump && this.settings.transactionalId === undefined && this.hasId && this.producerEpoch < MAX_EPOCH && this.running === undefined) {
      this.producerEpoch++
      this.bumpNeeded = false
      return Promise.resolve()
    }
    if (this.running === undefined) {
      const running = this.exchange(bump)
      this.running = running
      const clear = () => {
        if (this.running === running) this.running = undefined
      }
      running.then(clear, clear)
    }
    return this.running
  }

  /** Forgets the id (the producer is fenced or closing). */
  clear(): void {
    this.producerId = -1n
    this.producerEpoch = -1
  }

  private async exchange(bump: boolean): Promise<void> {
    const transactionalId = this.settings.transactionalId
    const response = await this.cluster.retry(
      async () => {
        const conn = transactionalId === undefined ? await this.cluster.anyConnection() : await this.cluster.coordinatorConnection('transaction', transactionalId)
        const version = conn.versionFor(InitProducerIdApi)
        const keep = bump && version >= 3 && this.producerId >= 0n
        const res = await conn.request(
          InitProducerIdApi,
          {
            transactionalId: transactionalId ?? null,
            transactionTimeoutMs: this.settings.transactionTimeoutMs,
            producerId: keep ? this.producerId : -1n,
            producerEpoch: keep ? this.producerEpoch : -1,
          },
          { version },
        )
        const error = errorForCode(res.errorCode, transactionalId === undefined ? 'InitProducerId' : `InitProducerId for transactionalId "${transactionalId}"`)
        if (error) throw error
        return res
      },
      { timeoutMs: this.settings.timeoutMs, coordinator: transactionalId === undefined ? undefined : { type: 'transaction', key: transactionalId } },
    )
    this.producerId = response.producerId
    this.producerEpoch = response.producerEpoch
    this.bumpNeeded = false
  }
}
