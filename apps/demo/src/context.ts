import { silentBrokerLogger, startBroker, type Broker } from '@tributary/broker'
import { silentLogger } from '@tributary/client'
import { Checker } from './check.js'
import { observe } from './narrate.js'

/** Broker settings that keep the walkthrough quick: no initial rebalance delay, short sessions allowed. */
export const BROKER_CONFIGS: Record<string, string> = {
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '500',
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': '250',
}

/** Consumer settings that make group membership changes take well under a second. */
export const FAST_CONSUMER = { sessionTimeoutMs: 3_000, heartbeatIntervalMs: 200, fetchMaxWaitMs: 50, retryBackoffMs: 50 } as const

/** What every step gets: the running broker, a way to restart it, its checker and narration. */
export class DemoContext {
  readonly logger = silentLogger
  /** The current step's checker (the runner gives each step its own). */
  check = new Checker(false)

  constructor(
    private current: Broker,
    readonly dataDir: string,
  ) {}

  get broker(): Broker {
    return this.current
  }

  get bootstrapServers(): string {
    return this.current.bootstrapServers
  }

  /** Options every Tributary client in the demo shares. */
  get client() {
    return { bootstrapServers: this.current.bootstrapServers, logger: silentLogger }
  }

  /** Stops the broker cleanly and starts a new one on the same data directory (a new port). */
  async restartBroker(): Promise<void> {
    await this.current.close()
    this.current = await launch(this.dataDir)
  }

  say(text: string): void {
    observe(text)
  }
}

export function launch(dataDir: string): Promise<Broker> {
  return startBroker({ port: 0, host: '127.0.0.1', dataDir, configs: BROKER_CONFIGS, logger: silentBrokerLogger })
}
