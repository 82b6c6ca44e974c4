import { AbortError, sleep } from '@tributary/client'
import { KafkaError, isRetriable } from '@tributary/protocol'
import type { Assignor } from '../assignors/assignor.js'
import type { ConsumerContext, GenerationIdentity } from '../context.js'
import type { Deliveries } from '../delivery/deliveries.js'
import type { TopicPartition } from '../record.js'
import { Heartbeat } from './heartbeat.js'
import { joinGroup, syncGroup } from './join-sync.js'
import { computeAssignments, groupView } from './leader.js'
import { leaveGroup } from './leave.js'
import type { Ownership } from './ownership.js'
import { decodeAssignment, encodeSubscription } from './protocol.js'
import { countsChanged, topicsChanged, type TopicSubscription } from './subscription.js'

/** Errors after which rejoining cannot help: reported to the user, and the member stops. */
const FATAL = new Set(['FENCED_INSTANCE_ID', 'GROUP_MAX_SIZE_REACHED', 'INVALID_SESSION_TIMEOUT', 'GROUP_AUTHORIZATION_FAILED', 'UNSUPPORTED_VERSION', 'INCONSISTENT_GROUP_PROTOCOL', 'INVALID_GROUP_ID'])

type State = 'rebalancing' | 'stable' | 'left' | 'stopped'

/**
 * Group membership with the classic protocol: JoinGroup (leader election and protocol choice among
 * the members' assignors), SyncGroup (the leader's assignment), heartbeats, and rejoining whenever
 * the coordinator rebalances, the subscription's topics or partitions change, or partitions were
 * revoked cooperatively. It runs as one loop, so rebalances never overlap.
 *
 * The rebalance protocol follows the assignor the group chose: under an eager one every partition is
 * revoked (and committed) before rejoining; under a cooperative one the member keeps consuming while
 * it rejoins and reports what it owns. A member that processes one delivery longer than
 * `maxPollIntervalMs` leaves the group (a static member just stops heartbeating), loses its
 * partitions, and rejoins when it polls again.
 */
export class GroupMembership {
  memberId = ''
  generationId = -1
  protocolName: string | null = null
  leaderId = ''
  private state: State = 'rebalancing'
  private rejoinReason: string | null = 'the consumer subscribed'
  private cooperative = false
  private lastAssignment: TopicPartition[] = []
  private assignedGeneration = -1
  private pollTimedOut = false
  /** Set once this rebalance's SyncGroup has answered: a REBALANCE_IN_PROGRESS heartbeat then means another one. */
  private synced = false
  private fenced: { error: KafkaError; generationId: number } | null = null
  private wakeLoop: (() => void) | null = null
  private stableWaiters: (() => void)[] = []
  private readonly heartbeat: Heartbeat
  private readonly abort = new AbortController()
  private loop: Promise<void> | undefined
  private watchTimer: NodeJS.Timeout | undefined
  private groupTopics: string[] = []
  private groupCounts = new Map<string, number>()

  constructor(
    private readonly ctx: ConsumerContext,
    readonly groupId: string,
    private readonly assignors: readonly Assignor[],
    private subscription: TopicSubscription,
    private readonly ownership: Ownership,
    private readonly deliveries: Deliveries,
  ) {
    const o = ctx.options
    this.heartbeat = new Heartbeat(
      ctx.cluster,
      {
        groupId,
        identity: () => this.identity(),
        onRebalance: () => {
          // While preparing to join (eager revocation), heartbeats keep the session alive and this answer is expected.
          if (this.state === 'rebalancing' && !this.synced) return
          this.requestRejoin('the coordinator is rebalancing the group')
        },
        onFenced: (error) => {
          this.fenced = { error, generationId: this.generationId }
          this.wake()
        },
        onTick: (now) => this.checkPollTimeout(now),
      },
      ctx.logger,
      o.heartbeatIntervalMs,
      o.requestTimeoutMs,
    )
  }

  /** The identity commits and heartbeats carry. */
  identity(): GenerationIdentity {
    return { generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.ctx.options.groupInstanceId ?? null }
  }

  /** Whether the member is in a stable generation with nothing pending. */
  get stable(): boolean {
    return this.state === 'stable' && this.rejoinReason === null
  }

  start(): void {
    if (this.state === 'stopped') return
    this.loop ??= this.run()
    const every = Math.max(1_000, this.ctx.options.metadataMaxAgeMs)
    this.watchTimer = setInterval(() => void this.watchMetadata(), every)
    this.watchTimer.unref()
  }

  /** Replaces the subscription (a new `subscribe()` call) and rejoins. */
  resubscribe(subscription: TopicSubscription): void {
    this.subscription = subscription
    this.requestRejoin('the subscription changed')
  }

  /** Makes the member rejoin the group as soon as possible. */
  requestRejoin(reason: string): void {
    if (this.state === 'stopped') return
    this.rejoinReason ??= reason
    this.wake()
  }

  /** Resolves once the group is stable (or the member has stopped or left). */
  whenStable(signal?: AbortSignal): Promise<void> {
    if (this.stable || this.state === 'stopped' || this.state === 'left') return Promise.resolve()
    return new Promise((resolve) => {
      this.stableWaiters.push(resolve)
      signal?.addEventListener('abort', () => resolve(), { once: true })
    })
  }

  /**
   * Leaves the group: stops the loop and heartbeats, abandons a join in progress (the JoinGroup or
   * SyncGroup in flight and every retry of the rebalance), revokes every partition (committing with
   * auto-commit), and sends LeaveGroup unless the member is static or has no member id yet (best
   * effort, one attempt bounded by `requestTimeoutMs` and by close()'s `timeoutMs`: a coordinator that
   * cannot be reached just lets the session expire).
   */
  async stop(reason: string): Promise<void> {
    if (this.state === 'stopped') return
    const wasInGroup = this.generationId >= 0
    this.state = 'stopped'
    clearInterval(this.watchTimer)
    this.heartbeat.stop()
    this.abort.abort()
    this.wake()
    await this.loop
    await this.ownership.giveUpAll(wasInGroup ? 'revoked' : 'lost')
    if (this.ctx.options.groupInstanceId === undefined && this.memberId !== '') {
      const error = await leaveGroup(this.ctx.cluster, this.groupId, this.memberId, reason, this.ctx.options.requestTimeoutMs, this.ctx.closeDeadline)
      if (error) this.ctx.logger.warn(`LeaveGroup failed: ${error.message}; the coordinator removes the member once its session times out`, { groupId: this.groupId })
    }
    this.generationId = -1
    this.settleStableWaiters()
  }

  private async run(): Promise<void> {
    while (this.state !== 'stopped') {
      if (this.fenced) {
        const { error, generationId } = this.fenced
        this.fenced = null
        // A heartbeat answer about a generation this member has already left behind means nothing now.
        if (generationId === this.generationId) await this.handleRebalanceError(error)
        continue
      }
      if (this.pollTimedOut) {
        this.pollTimedOut = false
        await this.leaveForPollTimeout()
        continue
      }
      if (this.rejoinReason === null) {
        await new Promise<void>((resolve) => (this.wakeLoop = resolve))
        continue
      }
      try {
        await this.rebalance()
      } catch (err) {
        await this.handleRebalanceError(err)
      }
    }
  }

  private async rebalance(): Promise<void> {
    const reason = this.rejoinReason ?? 'rejoining'
    this.rejoinReason = null
    this.state = 'rebalancing'
    this.synced = false
    const o = this.ctx.options
    const signal = this.abort.signal
    const topics = await this.subscription.resolve(signal)
    // Eager: give everything up first. Heartbeats go on meanwhile (handlers may take a while to finish).
    if (!this.cooperative) await this.ownership.giveUpAll('revoked')
    this.heartbeat.stop()
    const owned = this.ownership.owned()
    this.ctx.logger.info(`Joining group "${this.groupId}": ${reason}`, { memberId: this.memberId, generationId: this.generationId })
    const join = await joinGroup(
      this.ctx.cluster,
      {
        groupId: this.groupId,
        memberId: this.memberId,
        groupInstanceId: o.groupInstanceId ?? null,
        sessionTimeoutMs: o.sessionTimeoutMs,
        rebalanceTimeoutMs: o.rebalanceTimeoutMs,
        reason,
        protocols: this.assignors.map((a) => ({
          name: a.name,
          metadata: encodeSubscription({
            topics,
            userData: a.subscriptionUserData?.({ topics, lastAssignment: this.lastAssignment, generationId: this.assignedGeneration }) ?? null,
            ownedPartitions: owned,
            generationId: this.assignedGeneration,
            rackId: o.clientRack ?? null,
          }),
        })),
      },
      {
        requestTimeoutMs: o.requestTimeoutMs,
        signal,
        // Known from here on, so that stop() leaves the group even when it abandons this join.
        onMemberId: (memberId) => (this.memberId = memberId),
      },
    )
    this.memberId = join.memberId
    this.generationId = join.generationId
    this.protocolName = join.protocolName
    this.leaderId = join.leader
    const assignor = this.assignors.find((a) => a.name === join.protocolName)
    if (!assignor) throw new KafkaError(`The group chose assignor "${join.protocolName}", which this member did not offer`, { code: 'INCONSISTENT_GROUP_PROTOCOL' })
    let assignments: { memberId: string; assignment: Buffer }[] = []
    if (join.leader === join.memberId && !join.skipAssignment) {
      const view = groupView(join, this.ctx.logger)
      this.groupTopics = view.topics
      this.groupCounts = await this.subscription.partitionCounts(view.topics, signal)
      assignments = computeAssignments(assignor, view, this.groupCounts)
    }
    const bytes = await syncGroup(
      this.ctx.cluster,
      { groupId: this.groupId, generationId: join.generationId, memberId: join.memberId, groupInstanceId: o.groupInstanceId ?? null, protocolName: join.protocolName, assignments, rebalanceTimeoutMs: o.rebalanceTimeoutMs },
      { requestTimeoutMs: o.requestTimeoutMs, signal },
    )
    if (this.isStopped()) return
    const assignment = decodeAssignment(bytes)
    this.ctx.logger.info(`Joined group "${this.groupId}" in generation ${join.generationId} with assignor ${join.protocolName}${join.leader === join.memberId ? ' as leader' : ''}`, {
      memberId: join.memberId,
    })
    // In the group from here on: heartbeats run through the listener callbacks of the assignment.
    this.synced = true
    this.heartbeat.start()
    const revoked = await this.ownership.apply(assignment.partitions)
    this.cooperative = assignor.protocol === 'cooperative'
    this.lastAssignment = assignment.partitions
    this.assignedGeneration = join.generationId
    if (this.isStopped()) return
    this.state = 'stable'
    if (revoked.length > 0 && this.cooperative) this.requestRejoin('partitions were revoked and must be reassigned')
    if (this.stable) this.settleStableWaiters()
  }

  private async handleRebalanceError(err: unknown): Promise<void> {
    if (this.state === 'stopped' || err instanceof AbortError) return
    const error = err instanceof KafkaError ? err : new KafkaError(`Rebalance failed: ${(err as Error).message}`, { code: 'UNKNOWN', cause: err })
    const code = error.code
    if (code === 'UNKNOWN_MEMBER_ID' || code === 'ILLEGAL_GENERATION' || code === 'FENCED_INSTANCE_ID') {
      this.ctx.logger.warn(`Member ${this.memberId} of group "${this.groupId}" is out of the group (${code}); its partitions are lost`)
      this.generationId = -1
      if (code !== 'ILLEGAL_GENERATION') this.memberId = ''
      this.heartbeat.stop()
      await this.ownership.giveUpAll('lost')
      this.cooperative = false
    }
    if (FATAL.has(code)) {
      this.state = 'left'
      this.heartbeat.stop()
      this.ctx.fail(error)
      this.settleStableWaiters()
      await new Promise<void>((resolve) => (this.wakeLoop = resolve))
      return
    }
    this.rejoinReason ??= `rejoining after ${code}`
    if (code === 'REBALANCE_IN_PROGRESS' || code === 'UNKNOWN_MEMBER_ID' || code === 'ILLEGAL_GENERATION') return
    if (!isRetriable(error)) this.ctx.fail(error)
    this.ctx.logger.warn(`Rebalance of group "${this.groupId}" failed, retrying: ${error.message}`)
    await sleep(isRetriable(error) ? this.ctx.options.retryBackoffMs : this.ctx.options.retryBackoffMaxMs, this.abort.signal).catch(() => {})
  }

  private checkPollTimeout(now: number): void {
    if (this.state !== 'stable' || this.pollTimedOut) return
    const stalled = this.deliveries.stalledFor(now)
    if (stalled <= this.ctx.options.maxPollIntervalMs) return
    this.ctx.logger.warn(
      `Processing has not progressed for ${stalled} ms, more than maxPollIntervalMs (${this.ctx.options.maxPollIntervalMs}): leaving group "${this.groupId}" so its partitions go to other members; this member rejoins when it polls again`,
    )
    this.pollTimedOut = true
    this.heartbeat.stop()
    this.wake()
  }

  private async leaveForPollTimeout(): Promise<void> {
    this.state = 'left'
    if (this.ctx.options.groupInstanceId === undefined && this.memberId !== '') {
      await leaveGroup(this.ctx.cluster, this.groupId, this.memberId, 'consumer poll timeout has expired', this.ctx.options.requestTimeoutMs, this.ctx.closeDeadline)
      this.memberId = ''
    }
    this.generationId = -1
    await this.ownership.giveUpAll('lost')
    this.cooperative = false
    this.settleStableWaiters()
    await this.deliveries.whenPolled(this.abort.signal)
    if (this.state === 'left') {
      this.state = 'rebalancing'
      this.requestRejoin('polling resumed after the poll timeout')
    }
  }

  private async watchMetadata(): Promise<void> {
    if (this.state !== 'stable') return
    try {
      const before = this.subscription.topics
      const after = await this.subscription.resolve(this.abort.signal)
      if (topicsChanged(before, after)) this.requestRejoin('the subscribed topics changed')
      if (this.leaderId === this.memberId && this.groupTopics.length > 0) {
        await this.ctx.cluster.refreshMetadata(this.groupTopics)
        const counts = await this.subscription.partitionCounts(this.groupTopics, this.abort.signal)
        if (countsChanged(counts, this.groupCounts)) this.requestRejoin('the partitions of subscribed topics changed')
      }
    } catch (err) {
      this.ctx.logger.debug(`Metadata check failed: ${(err as Error).message}`)
    }
  }

  /** Whether `stop()` has begun (a method, so that narrowing after assignments does not hide changes made meanwhile). */
  private isStopped(): boolean {
    return this.state === 'stopped'
  }

  private wake(): void {
    const w = this.wakeLoop
    this.wakeLoop = null
    w?.()
  }

  private settleStableWaiters(): void {
    const waiters = this.stableWaiters
    this.stableWaiters = []
    for (const w of waiters) w()
  }
}
