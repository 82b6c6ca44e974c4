/** How many producer ids are reserved with one write. */
export const PRODUCER_ID_BLOCK_SIZE = 1000n

/**
 * Hands out producer ids that never repeat, across restarts too: ids are reserved a block at a
 * time, and the end of the reserved range is persisted (the producer id block record of
 * `__transaction_state`) before any id of the block is handed out. A restart continues after the
 * persisted end, so ids handed out before a crash are never reused; at most one block is skipped.
 *
 * @example
 * ```ts
 * const ids = new ProducerIdAllocator(0n, (upTo) => txnLog.writeProducerIdBlock(upTo))
 * ids.allocate() // 0n, after persisting 1000n
 * ```
 */
export class ProducerIdAllocator {
  private next: bigint
  private reservedUpTo: bigint

  constructor(
    /** The persisted end of the reserved range; no id below it is handed out again. */
    reservedUpTo: bigint,
    /** Persists a new end of the reserved range; throws when it cannot. */
    private readonly persist: (reservedUpTo: bigint) => void,
  ) {
    this.next = reservedUpTo
    this.reservedUpTo = reservedUpTo
  }

  /** Moves past ids seen in use (for instance in loaded transaction metadata). */
  skipPast(producerId: bigint): void {
    if (producerId >= this.next) {
      this.next = producerId + 1n
      if (this.next > this.reservedUpTo) this.reservedUpTo = this.next
    }
  }

  /**
   * A fresh producer id.
   *
   * @throws the persistence error when a new block cannot be reserved.
   */
  allocate(): bigint {
    if (this.next >= this.reservedUpTo) {
      const upTo = this.next + PRODUCER_ID_BLOCK_SIZE
      this.persist(upTo)
      this.reservedUpTo = upTo
    }
    return this.next++
  }
}
