import { isIP } from 'node:net'
import { KafkaError } from '@tributary/protocol'
import type { BrokerLogger } from '../logger.js'

/**
 * Connection limits: how many clients may connect, how much one connection may have the broker
 * hold for it, and how long it may sit idle or take to send a request. Kafka's names where Kafka
 * has the setting; the others are this broker's own and say so in their documentation.
 */

/** The connection settings `configs` accepts (read-only at runtime), with their defaults and meaning. */
export const CONNECTION_SETTINGS: readonly { name: string; type: 'int' | 'long' | 'string'; default: string; documentation: string }[] = [
  { name: 'max.connections', type: 'int', default: '10000', documentation: 'the most client connections the broker keeps open at once; more are closed as they arrive' },
  { name: 'max.connections.per.ip', type: 'int', default: '2147483647', documentation: 'the most connections one client address may keep open; more are closed as they arrive' },
  { name: 'max.connections.per.ip.overrides', type: 'string', default: '', documentation: 'per-address exceptions to max.connections.per.ip, as "address:count" pairs separated by commas' },
  { name: 'queued.max.requests', type: 'int', default: '500', documentation: 'the most requests one connection may have read but not yet answered; the broker stops reading from it until answers go out' },
  { name: 'queued.max.response.bytes', type: 'int', default: '1048576', documentation: 'response bytes a connection may leave unread before the broker stops reading and starting its requests, until they drain' },
  { name: 'connections.max.idle.ms', type: 'long', default: '600000', documentation: 'a connection with no bytes read or written for this long is closed' },
  { name: 'request.assembly.timeout.ms', type: 'long', default: '60000', documentation: 'the longest a request may take to arrive once its first byte has; a slower one closes the connection' },
]

/** The connection limits a broker runs with (see {@link CONNECTION_SETTINGS}). */
export interface ConnectionLimits {
  /** `max.connections`. */
  maxConnections: number
  /** `max.connections.per.ip`. */
  maxConnectionsPerIp: number
  /** `max.connections.per.ip.overrides`, by normalized address. */
  perIpOverrides: ReadonlyMap<string, number>
  /** `queued.max.requests`: requests read and not yet answered, per connection. */
  queuedMaxRequests: number
  /** `queued.max.response.bytes`: unsent response bytes per connection before reading pauses. */
  maxUnsentResponseBytes: number
  /** `connections.max.idle.ms`; 0 never closes idle connections. */
  idleTimeoutMs: number
  /** `request.assembly.timeout.ms`; 0 waits forever for the rest of a request. */
  requestAssemblyTimeoutMs: number
}

const INT_MAX = 2 ** 31 - 1

/** The socket write buffer Node keeps before `write()` reports backpressure: the smallest useful cap. */
const MIN_UNSENT_BYTES = 16 * 1024

/**
 * Reads and checks the connection limits from the broker's settings (defaults filled in).
 *
 * @throws KafkaError `INVALID_CONFIG` naming the setting, the value and what is allowed.
 */
export function connectionLimitsFromSettings(settings: ReadonlyMap<string, { value: string }>): ConnectionLimits {
  const int = (name: string, min: number): number => {
    const raw = settings.get(name)?.value ?? CONNECTION_SETTINGS.find((s) => s.name === name)!.default
    const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN
    if (!Number.isSafeInteger(n) || n < min || n > INT_MAX) throw invalid(name, raw, `an integer from ${min} to ${INT_MAX}`)
    return n
  }
  return {
    maxConnections: int('max.connections', 1),
    maxConnectionsPerIp: int('max.connections.per.ip', 1),
    perIpOverrides: parseOverrides(settings.get('max.connections.per.ip.overrides')?.value ?? ''),
    queuedMaxRequests: int('queued.max.requests', 1),
    maxUnsentResponseBytes: int('queued.max.response.bytes', MIN_UNSENT_BYTES),
    idleTimeoutMs: int('connections.max.idle.ms', 0),
    requestAssemblyTimeoutMs: int('request.assembly.timeout.ms', 0),
  }
}

function parseOverrides(raw: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const entry of raw.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    // The count follows the last colon, so IPv6 addresses (which contain colons) work unbracketed too.
    const at = entry.lastIndexOf(':')
    const host = normalizeAddress(entry.slice(0, at).replace(/^\[(.*)\]$/, '$1'))
    const count = Number(entry.slice(at + 1))
    if (at <= 0 || !Number.isSafeInteger(count) || count < 0 || count > INT_MAX || !/^\d+$/.test(entry.slice(at + 1))) {
      throw invalid('max.connections.per.ip.overrides', raw, `"address:count" pairs separated by commas, such as "127.0.0.1:200,10.0.0.7:50"; "${entry}" is not one`)
    }
    if (isIP(host) === 0) throw invalid('max.connections.per.ip.overrides', raw, `IP addresses; "${host}" is not one`)
    out.set(host, count)
  }
  return out
}

function invalid(name: string, value: string, allowed: string): KafkaError {
  return new KafkaError(`Invalid broker option configs['${name}']: ${JSON.stringify(value)}; expected ${allowed}`, { code: 'INVALID_CONFIG' })
}

/** `::ffff:127.0.0.1` (an IPv4 client of a dual-stack listener) counts as `127.0.0.1`. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
}

/** How often a burst of refused connections is summarized in the log, instead of one line each. */
const REFUSAL_LOG_INTERVAL_MS = 10_000

/**
 * Counts open connections, broker-wide and per client address, and refuses those over
 * `max.connections` or the address's limit: the caller closes them. A refusal is logged at once
 * with its reason; further ones within ten seconds are counted and summarized in one line when the
 * ten seconds are up, so a flood of connections cannot flood the log too.
 *
 * @example
 * ```ts
 * const admission = new ConnectionAdmission(limits, logger)
 * const release = admission.admit(socket.remoteAddress)
 * if (!release) return socket.destroy()
 * socket.once('close', release)
 * ```
 */
export class ConnectionAdmission {
  private open = 0
  private readonly perIp = new Map<string, number>()
  private refusedSinceLog = 0
  private lastLogMs = Number.NEGATIVE_INFINITY
  private lastRefusal = ''

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly logger: BrokerLogger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Connections currently admitted. */
  get count(): number {
    return this.open
  }

  /**
   * Admits a connection from `remoteAddress`: returns the function to call once when it closes, or
   * undefined (after logging why) when a limit refuses it.
   */
  admit(remoteAddress: string | undefined): (() => void) | undefined {
    const ip = normalizeAddress(remoteAddress ?? 'unknown')
    const fromIp = this.perIp.get(ip) ?? 0
    const ipLimit = this.limits.perIpOverrides.get(ip) ?? this.limits.maxConnectionsPerIp
    if (this.open >= this.limits.maxConnections) {
      this.refuse(`closed a new connection from ${ip}: the broker has ${this.open} connections open, its limit (max.connections=${this.limits.maxConnections})`)
      return undefined
    }
    if (fromIp >= ipLimit) {
      const setting = this.limits.perIpOverrides.has(ip) ? 'max.connections.per.ip.overrides' : 'max.connections.per.ip'
      this.refuse(`closed a new connection from ${ip}: that address has ${fromIp} connections open, its limit (${setting} allows ${ipLimit})`)
      return undefined
    }
    this.open++
    this.perIp.set(ip, fromIp + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      this.open--
      const left = (this.perIp.get(ip) ?? 1) - 1
      if (left > 0) this.perIp.set(ip, left)
      else this.perIp.delete(ip)
    }
  }

  private refuse(line: string): void {
    const now = this.clock()
    if (now - this.lastLogMs >= REFUSAL_LOG_INTERVAL_MS) {
      this.logger.warn(line)
      this.lastLogMs = now
      return
    }
    this.lastRefusal = line
    if (this.refusedSinceLog++ === 0) {
      setTimeout(() => {
        this.logger.warn(`${this.lastRefusal} (${this.refusedSinceLog} connection(s) refused since the last such line; the limits are logged at most once per ${REFUSAL_LOG_INTERVAL_MS / 1000} s)`)
        this.lastLogMs = this.clock()
        this.refusedSinceLog = 0
      }, Math.max(0, this.lastLogMs + REFUSAL_LOG_INTERVAL_MS - now)).unref()
    }
  }
}
