import type { Cluster, Logger } from '@tributary/client'
import { HeartbeatApi, KafkaError, errorForCode } from '@tributary/protocol'

/** What the heartbeat needs from the membership. */
export interface HeartbeatTarget {
  readonly groupId: string
  /** The identity to heartbeat with. */
  identity(): { generationId: number; memberId: string; groupInstanceId: string | null }
  /** The coordinator started a rebalance: rejoin. */
  onRebalance(): void
  /** The coordinator no longer knows this member or generation (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID). */
  onFenced(error: KafkaError): void
  /** Called on every tick, for the `maxPollIntervalMs` check. */
  onTick(now: number): void
}

/**
 * Heartbeats on their own timer, every `heartbeatIntervalMs` while the member is in a stable group,
 * on the coordinator's default connection (JoinGroup and SyncGroup use another, and fetches a third),
 * so neither user processing nor long polls delay them. A synchronous, CPU-bound handler does block
 * the event loop and with it the timer: run such work in a worker thread.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined
  private running = false
  private inFlight = false
  private lastSent = 0

  constructor(
    private readonly cluster: Cluster,
    private readonly target: HeartbeatTarget,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly requestTimeoutMs: number,
  ) {}

  /** Starts heartbeating (the first one after one interval). */
  start(): void {
    if (this.running) return
    this.running = true
    this.lastSent = Date.now()
    this.schedule()
  }

  stop(): void {
    this.running = false
    clearTimeout(this.timer)
    this.timer = undefined
  }

  /** The poll-timeout check ticks more often than heartbeats go out, at most once a second. */
  private schedule(): void {
    if (!this.running) return
    this.timer = setTimeout(() => this.tick(), Math.min(this.intervalMs, 1000))
    this.timer.unref()
  }

  private tick(): void {
    if (!this.running) return
    const now = Date.now()
    this.target.onTick(now)
    if (this.running && !this.inFlight && now - this.lastSent >= this.intervalMs) {
      this.lastSent = now
      this.inFlight = true
      void this.beat().finally(() => (this.inFlight = false))
    }
    this.schedule()
  }

  private async beat(): Promise<void> {
    const { groupId } = this.target
    const identity = this.target.identity()
    try {
      const conn = await this.cluster.coordinatorConnection('group', groupId)
      const response = await conn.request(HeartbeatApi, { groupId, ...identity }, { timeoutMs: Math.min(this.requestTimeoutMs, this.intervalMs * 3) })
      // Stopped meanwhile, or the member has moved on to another generation: the answer is stale.
      if (!this.running || this.target.identity().generationId !== identity.generationId) return
      const error = errorForCode(response.errorCode, `heartbeat of member ${identity.memberId} of group "${groupId}"`)
      if (!error) return
      if (error.code === 'REBALANCE_IN_PROGRESS') this.target.onRebalance()
      else if (error.code === 'ILLEGAL_GENERATION' || error.code === 'UNKNOWN_MEMBER_ID' || error.code === 'FENCED_INSTANCE_ID') this.target.onFenced(error)
      else throw error
    } catch (err) {
      if (!this.running) return
      this.cluster.handleError(err, { coordinator: { type: 'group', key: groupId } })
      this.logger.warn(`Heartbeat failed: ${(err as Error).message}`, { groupId })
      // Try again soon rather than a whole interval later.
      this.lastSent = Date.now() - this.intervalMs + Math.min(this.intervalMs, 200)
    }
  }
}
