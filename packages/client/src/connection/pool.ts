import type { KafkaError } from '@tributary/protocol'
import { formatBrokerAddress, type BrokerAddress } from '../cluster/address.js'
import { ClientClosedError } from '../errors/client-errors.js'
import { silentLogger, type Logger } from '../options/logger.js'
import type { SaslOptions, TlsOptions } from '../options/client-options.js'
import { backoffDelay } from '../retry/backoff.js'
import { sleep } from '../retry/sleep.js'
import { Connection } from './connection.js'

/** Settings shared by every connection of a pool: the client options of the same names. */
export interface ConnectionPoolOptions {
  clientId: string
  requestTimeoutMs: number
  socketConnectionSetupTimeoutMs: number
  reconnectBackoffMs: number
  reconnectBackoffMaxMs: number
  connectionsMaxIdleMs: number
  ssl?: boolean | TlsOptions
  sasl?: SaslOptions
  logger?: Logger
  maxInFlightRequests?: number
  /** Source of randomness for the reconnect jitter (tests pass a fixed one). */
  random?: () => number
}

/** Options for {@link ConnectionPool.get}. */
export interface GetConnectionOptions {
  /**
   * A separate connection to the same broker for traffic that should not queue behind other requests
   * (brokers answer one connection's requests strictly in order): e.g. `'fetch'` for long-polling
   * fetches, `'produce'` for a producer's batches. Default `'default'`.
   */
  lane?: string
  nodeId?: number
  signal?: AbortSignal
}

interface Slot {
  address: BrokerAddress
  lane: string
  conn?: Connection
  opening?: Promise<Connection>
  /** Consecutive failed attempts or disconnects since the last successful open. */
  failures: number
  lastAttemptAt: number
  backoffMs: number
}

/**
 * Connections to brokers, one per broker and lane, opened on demand. A broker that cannot be reached,
 * or that dropped the connection, is retried after Kafka's reconnect backoff: `reconnectBackoffMs`
 * doubling per consecutive failure up to `reconnectBackoffMaxMs`, with ±20% jitter, counted from the
 * previous attempt. Connections idle for `connectionsMaxIdleMs` are closed; suspect connections (a request
 * timed out) are replaced for new requests and closed once their last request finishes.
 *
 * @example
 * ```ts
 * const pool = new ConnectionPool({ clientId: 'app', requestTimeoutMs: 30_000, socketConnectionSetupTimeoutMs: 10_000,
 *   reconnectBackoffMs: 50, reconnectBackoffMaxMs: 1000, connectionsMaxIdleMs: 540_000 })
 * const conn = await pool.get({ host: 'localhost', port: 9092 })
 * ```
 */
export class ConnectionPool {
  private readonly slots = new Map<string, Slot>()
  private readonly disconnectListeners = new Set<(address: string, error: KafkaError) => void>()
  private readonly logger: Logger
  private readonly reaper: NodeJS.Timeout
  private closed = false

  constructor(private readonly options: ConnectionPoolOptions) {
    this.logger = options.logger ?? silentLogger
    this.reaper = setInterval(() => this.reapIdle(), Math.max(10, Math.min(options.connectionsMaxIdleMs, 30_000)))
    this.reaper.unref()
  }

  /**
   * A usable connection to `address` on `lane`: the open one, the one being opened, or a new one once the
   * reconnect backoff since the last attempt has passed. Rejects with the connection error when opening fails.
   */
  get(address: BrokerAddress, options: GetConnectionOptions = {}): Promise<Connection> {
    if (this.closed) return Promise.reject(new ClientClosedError('The connection pool'))
    const lane = options.lane ?? 'default'
    const key = `${formatBrokerAddress(address)}/${lane}`
    let slot = this.slots.get(key)
    if (!slot) {
      slot = { address, lane, failures: 0, lastAttemptAt: 0, backoffMs: 0 }
      this.slots.set(key, slot)
    }
    if (slot.conn?.usable) return Promise.resolve(slot.conn)
    if (slot.opening) return slot.opening
    const opening = this.open(slot, options)
    slot.opening = opening
    const clear = () => {
      if (slot.opening === opening) slot.opening = undefined
    }
    opening.then(clear, clear)
    return opening
  }

  /** The usable connection to `address` on `lane`, if one is open; never connects. */
  peek(address: BrokerAddress, lane = 'default'): Connection | undefined {
    const conn = this.slots.get(`${formatBrokerAddress(address)}/${lane}`)?.conn
    return conn?.usable ? conn : undefined
  }

  /** Every open connection, or those of one lane. */
  connections(lane?: string): Connection[] {
    return [...this.slots.values()].flatMap((s) => (s.conn && s.conn.state !== 'closed' && (lane === undefined || s.lane === lane) ? [s.conn] : []))
  }

  /** How long a `get` for `address` would wait before its next connection attempt (0 when it would not wait). */
  reconnectDelay(address: BrokerAddress, lane = 'default'): number {
    const slot = this.slots.get(`${formatBrokerAddress(address)}/${lane}`)
    return slot ? Math.max(0, slot.lastAttemptAt + slot.backoffMs - Date.now()) : 0
  }

  /** Calls `listener` when a connection is lost or fails to open (not when the client closes it). */
  onDisconnect(listener: (address: string, error: KafkaError) => void): () => void {
    this.disconnectListeners.add(listener)
    return () => this.disconnectListeners.delete(listener)
  }

  /** Closes every connection; requests in flight are rejected, and later `get` calls fail. */
  close(): void {
    if (this.closed) return
    this.closed = true
    clearInterval(this.reaper)
    for (const slot of this.slots.values()) {
      slot.conn?.close()
      slot.opening?.then((c) => c.close(), () => {})
    }
  }

  private async open(slot: Slot, options: GetConnectionOptions): Promise<Connection> {
    const previous = slot.conn
    if (previous && previous.state !== 'closed') previous.closeWhenIdle()
    slot.conn = undefined
    const wait = slot.lastAttemptAt + slot.backoffMs - Date.now()
    if (wait > 0) await sleep(wait, options.signal)
    if (this.closed) throw new ClientClosedError('The connection pool')
    slot.lastAttemptAt = Date.now()
    const address = formatBrokerAddress(slot.address)
    let conn: Connection
    try {
      conn = await Connection.open({
        host: slot.address.host,
        port: slot.address.port,
        nodeId: options.nodeId,
        clientId: this.options.clientId,
        requestTimeoutMs: this.options.requestTimeoutMs,
        socketConnectionSetupTimeoutMs: this.options.socketConnectionSetupTimeoutMs,
        ssl: this.options.ssl,
        sasl: this.options.sasl,
        logger: this.logger,
        maxInFlightRequests: this.options.maxInFlightRequests,
      })
    } catch (err) {
      this.recordFailure(slot)
      this.logger.warn(`Could not connect to ${address}; next attempt in ${slot.backoffMs} ms`, { broker: address, error: err })
      this.notifyDisconnect(address, err as KafkaError)
      throw err
    }
    if (this.closed) {
      conn.close()
      throw new ClientClosedError('The connection pool')
    }
    slot.failures = 0
    slot.backoffMs = 0
    slot.conn = conn
    this.logger.debug(`Connected to ${address}`, { broker: address, lane: slot.lane, nodeId: options.nodeId })
    conn.onClose((error) => {
      const current = slot.conn === conn
      if (current) slot.conn = undefined
      if (!current || error.code === 'CONNECTION_CLOSED') return
      this.recordFailure(slot)
      this.logger.info(`Lost the connection to ${address}: ${error.message}`, { broker: address })
      this.notifyDisconnect(address, error)
    })
    return conn
  }

  private recordFailure(slot: Slot): void {
    slot.backoffMs = backoffDelay(slot.failures, { initialMs: this.options.reconnectBackoffMs, maxMs: this.options.reconnectBackoffMaxMs }, this.options.random)
    slot.failures++
  }

  private notifyDisconnect(address: string, error: KafkaError): void {
    for (const listener of [...this.disconnectListeners]) listener(address, error)
  }

  private reapIdle(): void {
    const now = Date.now()
    for (const slot of this.slots.values()) {
      const conn = slot.conn
      if (conn && conn.inFlight === 0 && now - conn.lastActivityAt >= this.options.connectionsMaxIdleMs) {
        this.logger.debug(`Closing the idle connection to ${conn.address}`, { broker: conn.address })
        slot.conn = undefined
        conn.close()
      }
    }
  }
}
