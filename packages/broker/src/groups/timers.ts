import type { BrokerLogger } from '../logger.js'

/**
 * The coordinator's delayed work (session expiry, rebalance and sync deadlines, the initial
 * rebalance delay), keyed so that rescheduling replaces the earlier timer. Timers are unref'd, so
 * they never keep a process alive, and an exception in one is logged rather than escaping to the
 * event loop.
 */
export class Timers {
  private readonly byKey = new Map<string, NodeJS.Timeout>()
  private closed = false

  constructor(private readonly logger: BrokerLogger) {}

  /** Runs `task` after `delayMs`, replacing any timer under `key`. Does nothing once closed. */
  schedule(key: string, delayMs: number, task: () => void): void {
    this.cancel(key)
    if (this.closed) return
    const timer = setTimeout(
      () => {
        if (this.byKey.get(key) !== timer) return
        this.byKey.delete(key)
        try {
          task()
        } catch (err) {
          this.logger.error(`group coordinator: a delayed task (${key.replace(/\0/g, '/')}) failed`, err)
        }
      },
      Math.min(Math.max(0, delayMs), 2 ** 31 - 1),
    )
    timer.unref()
    this.byKey.set(key, timer)
  }

  cancel(key: string): void {
    const timer = this.byKey.get(key)
    if (timer) {
      clearTimeout(timer)
      this.byKey.delete(key)
    }
  }

  /** Cancels every timer and refuses new ones. */
  close(): void {
    this.closed = true
    for (const timer of this.byKey.values()) clearTimeout(timer)
    this.byKey.clear()
  }
}

/** Timer keys: one session timer per member, one join and one sync deadline per group. */
export const timerKey = {
  session: (groupId: string, memberId: string) => `session\0${groupId}\0${memberId}`,
  join: (groupId: string) => `join\0${groupId}`,
  sync: (groupId: string) => `sync\0${groupId}`,
}
