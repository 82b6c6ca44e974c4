import type { Cluster, Logger } from '@tributary/client'
import type { KafkaError } from '@tributary/protocol'
import type { AssignedPartitions } from './offsets/positions.js'
import type { ResolvedConsumerOptions } from './options.js'

/** The member identity commits carry: the group generation, or -1 / '' outside group management. */
export interface GenerationIdentity {
  generationId: number
  memberId: string
  groupInstanceId: string | null
}

/** What the consumer's parts share. */
export interface ConsumerContext {
  readonly cluster: Cluster
  readonly options: ResolvedConsumerOptions
  readonly logger: Logger
  readonly partitions: AssignedPartitions
  /** The identity to commit with right now. */
  generation(): GenerationIdentity
  /** Resolves once the group is not rebalancing (at once outside group management). */
  whenStable(signal?: AbortSignal): Promise<void>
  /** Reports an error the user must see: the iterator or `run()` rejects with it. */
  fail(error: KafkaError): void
  /** True once `close()` has begun. */
  readonly closing: boolean
  /** Aborts when `close()` begins: ends lookups and their retries that are no use once closing (positions, committed offsets). */
  readonly closeSignal: AbortSignal
  /**
   * Aborts when close() has run out of its `timeoutMs` (with a CLOSE_TIMEOUT error as its reason):
   * commits and LeaveGroup still in progress are given up.
   */
  readonly closeDeadline: AbortSignal
}
