import type { SignalSource } from './context.js'

/** The signals that stop a long-running command. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']

/** A wait for the first stop signal; `dispose` removes every listener it added. */
export interface StopWait {
  /** Resolves with the first of SIGINT and SIGTERM received. */
  readonly signal: Promise<NodeJS.Signals>
  /**
   * After the first signal: calls `onSecond` if another stop signal arrives (shutdown is taking
   * too long and the user insists).
   */
  onSecondSignal(onSecond: (signal: NodeJS.Signals) => void): void
  dispose(): void
}

/**
 * Listens for SIGINT and SIGTERM. Listening replaces Node's default of dying at once, so the
 * caller decides what a signal means; call `dispose` when done.
 *
 * @example
 * ```ts
 * const stop = waitForStopSignal(process)
 * const signal = await stop.signal   // 'SIGTERM'
 * stop.onSecondSignal(() => process.exit(1))
 * await broker.close()
 * stop.dispose()
 * ```
 */
export function waitForStopSignal(source: SignalSource): StopWait {
  const listeners: Array<(signal: NodeJS.Signals) => void> = []
  const listen = (listener: (signal: NodeJS.Signals) => void) => {
    listeners.push(listener)
    for (const s of STOP_SIGNALS) source.once(s, listener)
  }
  const unlisten = () => {
    for (const listener of listeners.splice(0)) for (const s of STOP_SIGNALS) source.off(s, listener)
  }
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    listen((received) => {
      unlisten()
      resolve(received)
    })
  })
  return {
    signal,
    onSecondSignal(onSecond) {
      listen((received) => {
        unlisten()
        onSecond(received)
      })
    },
    dispose: unlisten,
  }
}
