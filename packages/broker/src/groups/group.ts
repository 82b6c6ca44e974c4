import { ConsumerProtocolSubscriptionCodec, ErrorCode, Reader } from '@tributary/protocol'
import { joinError, syncError, type GroupMember, type JoinResponseMember } from './member.js'

/** The classic group states, named as Kafka names them (DescribeGroups, ListGroups). */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead'

/** The states a group may enter each state from. */
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
}

/** The protocol type of Kafka consumers, whose metadata the coordinator can read. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer'

/**
 * One classic-protocol group: its state, generation, members and the protocol chosen for them.
 * This class keeps the group's own invariants (valid transitions, the leader, static member ids,
 * protocol selection); the timing and the requests live in the rebalance and membership modules.
 *
 * Members are kept in the order they joined; the first becomes leader, as in Kafka.
 */
export class ClassicGroup {
  readonly groupId: string
  private currentState: GroupState
  /** When the group entered its current state (ms); offsets of an empty group expire from it. */
  stateTimestamp: number
  generationId = 0
  protocolType: string | null = null
  protocolName: string | null = null
  leaderId: string | null = null
  readonly members = new Map<string, GroupMember>()
  /** group.instance.id → the member id that currently holds it. */
  readonly staticMembers = new Map<string, string>()
  /** Member ids handed out with MEMBER_ID_REQUIRED whose JoinGroup with that id has not come yet. */
  readonly pendingMembers = new Set<string>()
  /** Members of the current generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>()
  /** A member joined during the initial delay, which extends it. */
  newMemberAdded = false
  /** Which delayed join completes the rebalance under way, if any. */
  joinDelay: 'initial' | 'normal' | null = null
  /** The topics the members subscribe to (consumer groups), or null when not known. */
  subscribedTopics: ReadonlySet<string> | null = null

  constructor(groupId: string, state: 'Empty' | 'Stable', now: number) {
    this.groupId = groupId
    this.currentState = state
    this.stateTimestamp = now
  }

  get state(): GroupState {
    return this.currentState
  }

  is(state: GroupState): boolean {
    return this.currentState === state
  }

  /** @throws Error for a transition the state machine does not allow (a coordinator bug). */
  transitionTo(state: GroupState, now: number): void {
    if (!VALID_PREVIOUS[state].includes(this.currentState)) {
      throw new Error(`Group ${this.groupId} cannot move from ${this.currentState} to ${state}`)
    }
    this.currentState = state
    this.stateTimestamp = now
  }

  /** Whether a rebalance may start now (Stable, CompletingRebalance or Empty). */
  get canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.includes(this.currentState)
  }

  get size(): number {
    return this.members.size
  }

  has(memberId: string): boolean {
    return this.members.has(memberId)
  }

  get(memberId: string): GroupMember | undefined {
    return this.members.get(memberId)
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId
  }

  currentStaticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId)
  }

  /**
   * Kafka's check of a current member: with a group instance id, the id must be known (else
   * UNKNOWN_MEMBER_ID) and held by `memberId` (else FENCED_INSTANCE_ID: another instance took it
   * over); without one, `memberId` must be a member (else UNKNOWN_MEMBER_ID). NONE when it passes.
   */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = this.staticMembers.get(groupInstanceId)
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
      return current === memberId ? ErrorCode.NONE : ErrorCode.FENCED_INSTANCE_ID
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID
  }

  /** Adds a member; the first member of a group sets its protocol type and becomes leader. */
  add(member: GroupMember): void {
    if (this.members.size === 0) this.protocolType = member.protocolType
    this.leaderId ??= member.memberId
    this.members.set(member.memberId, member)
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId)
    this.pendingMembers.delete(member.memberId)
  }

  /** Removes a member (the leader passes to the next oldest member). Its parked requests are not answered here. */
  remove(memberId: string): GroupMember | undefined {
    const member = this.members.get(memberId)
    if (member) {
      this.members.delete(memberId)
      if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) this.staticMembers.delete(member.groupInstanceId)
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null
    this.pendingMembers.delete(memberId)
    this.pendingSyncMembers.delete(memberId)
    return member
  }

  /**
   * Gives a static member a new member id (a restarted instance rejoining): the old id's parked
   * JoinGroup or SyncGroup is answered FENCED_INSTANCE_ID, and the member keeps its place,
   * assignment and leadership under the new id.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): GroupMember {
    const member = this.members.get(oldMemberId)
    if (!member) throw new Error(`Group ${this.groupId} has no member ${oldMemberId} to replace`)
    member.completeJoin(joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID))
    member.completeSync(syncError(ErrorCode.FENCED_INSTANCE_ID))
    // Rebuild the map to keep the member's position (join order decides the next leader).
    const entries = [...this.members.entries()].map(([id, m]): [string, GroupMember] => (id === oldMemberId ? [newMemberId, m] : [id, m]))
    this.members.clear()
    for (const [id, m] of entries) this.members.set(id, m)
    member.memberId = newMemberId
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId
    this.staticMembers.set(groupInstanceId, newMemberId)
    this.pendingSyncMembers.delete(oldMemberId)
    return member
  }

  get numAwaitingJoin(): number {
    let n = 0
    for (const m of this.members.values()) if (m.isAwaitingJoin) n++
    return n
  }

  /** Every member has rejoined and no member id handed out is still expected. */
  get hasAllMembersJoined(): boolean {
    return this.numAwaitingJoin === this.members.size && this.pendingMembers.size === 0
  }

  /** The largest rebalance timeout of the members: how long a rebalance may wait for rejoins. */
  get rebalanceTimeoutMs(): number {
    let max = 0
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs)
    return max
  }

  /**
   * Whether a member joining with this protocol type and these protocols fits: any non-empty
   * choice fits an empty group; otherwise the type must match and at least one of its protocols
   * must be supported by every current member.
   */
  supportsProtocols(protocolType: string, protocolNames: readonly string[]): boolean {
    if (this.is('Empty')) return protocolType !== '' && protocolNames.length > 0
    if (this.protocolType !== protocolType) return false
    return protocolNames.some((name) => [...this.members.values()].every((m) => m.supports(name)))
  }

  /** The protocols every member supports. */
  candidateProtocols(): Set<string> {
    const members = [...this.members.values()]
    const first = members[0]
    if (!first) return new Set()
    return new Set(first.protocols.map((p) => p.name).filter((name) => members.every((m) => m.supports(name))))
  }

  /**
   * Kafka's protocol selection: among the protocols every member supports, each member votes for
   * the one it prefers most, and the most votes win. Ties go to the protocol the oldest member
   * prefers, which makes the choice deterministic.
   *
   * @throws Error when the group has no members or no common protocol (callers prevent both).
   */
  selectProtocol(): string {
    const candidates = this.candidateProtocols()
    const votes = new Map<string, number>()
    for (const m of this.members.values()) {
      const vote = m.vote(candidates)
      if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1)
    }
    let best: string | undefined
    let most = 0
    for (const [name, count] of votes) {
      if (count > most) {
        best = name
        most = count
      }
    }
    if (best === undefined) throw new Error(`Group ${this.groupId} has no protocol common to all members`)
    return best
  }

  /**
   * Makes sure the leader is among the members that rejoined: when it did not rejoin, the first
   * member that did becomes leader. False when no member rejoined (or the group has none).
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false
    if (this.members.get(this.leaderId)?.isAwaitingJoin) return true
    const joined = [...this.members.values()].find((m) => m.isAwaitingJoin)
    if (!joined) return false
    this.leaderId = joined.memberId
    return true
  }

  /** Starts the next generation: CompletingRebalance with a chosen protocol, or Empty without members. */
  initNextGeneration(now: number): void {
    this.generationId++
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol()
      this.transitionTo('CompletingRebalance', now)
    } else {
      this.protocolName = null
      this.transitionTo('Empty', now)
    }
    this.subscribedTopics = this.computeSubscribedTopics()
    this.pendingSyncMembers.clear()
  }

  /** Every member's metadata for the chosen protocol, as the leader receives it. */
  currentMemberMetadata(): JoinResponseMember[] {
    return [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(this.protocolName) }))
  }

  /**
   * The union of the topics the members subscribe to, read from their consumer-protocol metadata
   * (the version 0 prefix every version shares). Null when the group does not use the consumer
   * protocol, has not chosen a protocol, or a member's metadata cannot be read.
   */
  computeSubscribedTopics(): ReadonlySet<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null
    if (this.members.size === 0) return new Set()
    if (this.protocolName === null) return null
    const topics = new Set<string>()
    try {
      for (const m of this.members.values()) {
        const r = new Reader(m.metadataFor(this.protocolName))
        r.int16()
        for (const t of ConsumerProtocolSubscriptionCodec.decode(r, 0).topics) topics.add(t)
      }
    } catch {
      return null
    }
    return topics
  }

  /** Whether the members consume `topic`; true when that is not known, to be safe. */
  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === null || this.subscribedTopics.has(topic)
  }
}
