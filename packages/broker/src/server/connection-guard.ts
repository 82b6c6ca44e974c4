import type { Socket } from 'node:net'
import type { ConnectionLimits } from './limits.js'

/**
 * Handlers one connection may have running at once (started, answer not yet built). Produce and
 * most other handlers answer at once and never count for long; long-polling fetches and joins
 * do. With answers built only this many at a time, a client that never reads them costs at most
 * `queued.max.response.bytes` plus this many answers.
 */
export const MAX_RUNNING_HANDLERS = 8

/** Why the guard wants a connection closed. */
export interface GuardCloseReason {
  reason: string
  /** True when the client broke a rule (a request that never finished arriving); false for plain idleness. */
  violation: boolean
}

/**
 * One connection's timers and write budget, kept out of the connection's request handling:
 *
 * - `connections.max.idle.ms`: no byte read or written for that long closes the connection (the
 *   socket's own inactivity timer, which reading and writing both reset);
 * - `request.assembly.timeout.ms`: once a request's first byte has arrived, the rest must follow
 *   within that time, so a client trickling a frame byte by byte cannot hold a connection (and
 *   the bytes buffered for it) forever. The clock stops while the broker itself is not reading;
 * - `queued.max.response.bytes`: how many response bytes may wait in the socket unread by the
 *   client before the connection stops reading and starting requests, until the client drains them;
 * - at most {@link MAX_RUNNING_HANDLERS} handlers run at once for the connection, so a burst of
 *   requests cannot have many large answers built before any of them is written.
 *
 * @example
 * ```ts
 * const guard = new ConnectionGuard(socket, limits, () => splitter.pendingBytes, (why) => closeNow(why))
 * guard.noteFrames(frames.length)
 * if (!guard.canStart) await guard.mayStart()
 * guard.handlerStarted() // ... and guard.handlerSettled() once its answer is built
 * ```
 */
export class ConnectionGuard {
  private assemblyTimer: NodeJS.Timeout | undefined
  private waiting: (() => void)[] = []
  private stopped = false
  private running = 0

  constructor(
    private readonly socket: Socket,
    private readonly limits: ConnectionLimits,
    /** Bytes of the unfinished frame held right now. */
    private readonly pendingBytes: () => number,
    private readonly onClose: (why: GuardCloseReason) => void,
  ) {
    if (limits.idleTimeoutMs > 0) {
      socket.setTimeout(limits.idleTimeoutMs, () => {
        onClose({ reason: `idle for ${limits.idleTimeoutMs} ms, nothing read or written (connections.max.idle.ms)`, violation: false })
      })
    }
    socket.on('drain', () => this.release())
  }

  /** Whether the client has left more response bytes unread than `queued.max.response.bytes`. */
  get overBudget(): boolean {
    return this.socket.writableLength > this.limits.maxUnsentResponseBytes
  }

  /** Whether another handler may start now: the answers are drained enough and few handlers run. */
  get canStart(): boolean {
    return this.stopped || (!this.overBudget && this.running < MAX_RUNNING_HANDLERS)
  }

  /** Resolves once another handler may start (or the connection is gone). */
  mayStart(): Promise<void> {
    if (this.canStart) return Promise.resolve()
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  /** A handler started running. */
  handlerStarted(): void {
    this.running++
  }

  /** A handler's answer (or failure) is in: it no longer runs. */
  handlerSettled(): void {
    this.running--
    this.release()
  }

  /**
   * Tells the guard that a chunk was read and completed `completed` frames. Starts the assembly
   * clock for a new unfinished frame, stops it when none is left.
   */
  noteFrames(completed: number): void {
    const pending = this.pendingBytes()
    if (pending === 0 || completed > 0) this.stopAssemblyClock()
    if (pending > 0 && !this.assemblyTimer) this.startAssemblyClock()
  }

  /** Stops the assembly clock while the broker is not reading (its own backpressure, not the client's). */
  pauseAssembly(): void {
    this.stopAssemblyClock()
  }

  /** Restarts the assembly clock after reading resumes, when part of a frame is held. */
  resumeAssembly(): void {
    if (this.pendingBytes() > 0 && !this.assemblyTimer) this.startAssemblyClock()
  }

  /** Stops every timer and releases whoever waits for a drain; the connection is closing. */
  stop(): void {
    this.stopped = true
    this.stopAssemblyClock()
    this.socket.setTimeout(0)
    this.release()
  }

  private startAssemblyClock(): void {
    const timeoutMs = this.limits.requestAssemblyTimeoutMs
    if (timeoutMs <= 0 || this.stopped) return
    this.assemblyTimer = setTimeout(() => {
      this.assemblyTimer = undefined
      this.onClose({ reason: `a request took longer than ${timeoutMs} ms to arrive (${this.pendingBytes()} bytes of it so far; request.assembly.timeout.ms)`, violation: true })
    }, timeoutMs)
    this.assemblyTimer.unref()
  }

  private stopAssemblyClock(): void {
    if (this.assemblyTimer) clearTimeout(this.assemblyTimer)
    this.assemblyTimer = undefined
  }

  private release(): void {
    if (this.canStart) for (const resolve of this.waiting.splice(0)) resolve()
  }
}
