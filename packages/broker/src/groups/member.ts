import { ErrorCode } from '@tributary/protocol'

/** One protocol a member supports (an assignor, for consumers) with its metadata (the subscription). */
export interface MemberProtocol {
  name: string
  metadata: Buffer
}

/** One member as the leader sees it in its JoinGroup response. */
export interface JoinResponseMember {
  memberId: string
  groupInstanceId: string | null
  metadata: Buffer
}

/** What a JoinGroup answers. */
export interface JoinResult {
  errorCode: number
  generationId: number
  protocolType: string | null
  protocolName: string | null
  leader: string
  memberId: string
  /** Every member's metadata, for the leader; empty for the others. */
  members: JoinResponseMember[]
  /** JoinGroup v9: the leader need not compute an assignment (a static leader rejoining a stable group). */
  skipAssignment: boolean
}

/** What a SyncGroup answers. */
export interface SyncResult {
  errorCode: number
  protocolType: string | null
  protocolName: string | null
  assignment: Buffer
}

const EMPTY = Buffer.alloc(0)

/** A JoinGroup answer carrying only an error (and the member id the member should use). */
export function joinError(memberId: string, errorCode: number): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [], skipAssignment: false }
}

/** A SyncGroup answer carrying only an error. */
export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY }
}

/** What a member declares when it joins. */
export interface MemberInit {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  protocolType: string
  protocols: MemberProtocol[]
}

/**
 * One member of a classic group: what it declared when it joined, its current assignment, and the
 * JoinGroup or SyncGroup request it is waiting in, if any. A waiting request is a promise that the
 * group's state machine settles; settling it again does nothing.
 */
export class GroupMember {
  memberId: string
  readonly groupInstanceId: string | null
  clientId: string
  clientHost: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  readonly protocolType: string
  protocols: MemberProtocol[]
  /** The assignment the leader gave it in the current generation (empty until then). */
  assignment: Buffer = EMPTY
  /** Joined in the rebalance under way and has not been through a completed join yet. */
  isNew = false
  private joinWaiter: ((result: JoinResult) => void) | undefined
  private syncWaiter: ((result: SyncResult) => void) | undefined

  constructor(init: MemberInit) {
    this.memberId = init.memberId
    this.groupInstanceId = init.groupInstanceId
    this.clientId = init.clientId
    this.clientHost = init.clientHost
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs
    this.sessionTimeoutMs = init.sessionTimeoutMs
    this.protocolType = init.protocolType
    this.protocols = init.protocols
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null
  }

  /** A JoinGroup of this member is waiting for the rebalance to complete. */
  get isAwaitingJoin(): boolean {
    return this.joinWaiter !== undefined
  }

  /** A SyncGroup of this member is waiting for the leader's assignment. */
  get isAwaitingSync(): boolean {
    return this.syncWaiter !== undefined
  }

  /**
   * Parks a JoinGroup until the rebalance completes. A JoinGroup already parked for this member (a
   * client that pipelined two) is answered REBALANCE_IN_PROGRESS, which clients retry.
   */
  awaitJoin(): Promise<JoinResult> {
    this.completeJoin(joinError(this.memberId, ErrorCode.REBALANCE_IN_PROGRESS))
    return new Promise((resolve) => (this.joinWaiter = resolve))
  }

  /** Parks a SyncGroup until the assignment is known; a SyncGroup already parked is answered REBALANCE_IN_PROGRESS. */
  awaitSync(): Promise<SyncResult> {
    this.completeSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS))
    return new Promise((resolve) => (this.syncWaiter = resolve))
  }

  /** Answers the parked JoinGroup, if any; true when there was one. */
  completeJoin(result: JoinResult): boolean {
    const waiter = this.joinWaiter
    if (!waiter) return false
    this.joinWaiter = undefined
    waiter(result)
    return true
  }

  /** Answers the parked SyncGroup, if any; true when there was one. */
  completeSync(result: SyncResult): boolean {
    const waiter = this.syncWaiter
    if (!waiter) return false
    this.syncWaiter = undefined
    waiter(result)
    return true
  }

  /** The same protocols, in the same order, with the same metadata. */
  matches(protocols: readonly MemberProtocol[]): boolean {
    return protocols.length === this.protocols.length && protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata))
  }

  supports(protocolName: string): boolean {
    return this.protocols.some((p) => p.name === protocolName)
  }

  /** The member's vote: its most preferred protocol among the candidates. */
  vote(candidates: ReadonlySet<string>): string | undefined {
    return this.protocols.find((p) => candidates.has(p.name))?.name
  }

  /** The metadata it sent for `protocolName` (empty when it has none). */
  metadataFor(protocolName: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY
  }
}
