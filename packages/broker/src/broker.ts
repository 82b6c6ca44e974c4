import type { Socket } from 'node:net'
import { HandlerRegistry } from './handlers/index.js'
import { LogManager } from './log/log-manager.js'
import { describeError, storageLoggerFor } from './logger.js'
import { resolveBrokerOptions, type BrokerOptions } from './options.js'
import { BrokerContext } from './server/broker-context.js'
import { Connection } from './server/connection.js'
import { ConnectionAdmission } from './server/limits.js'
import { InterceptorChain, type RequestInterceptor } from './server/interceptors.js'
import { loadClusterIdentity } from './server/meta-properties.js'
import { ListenerGate } from './security/gate.js'
import { formatAddress, formatListener } from './server/listener-config.js'
import { closeListeners, cutUnservedSockets, openListeners, type BoundListener, type ListenerInfo } from './server/listeners.js'

/** How long `close()` lets in-flight requests finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 3_000

/** A running broker. */
export interface Broker {
  /** The port of the first listener (the real one when started with port 0). */
  readonly port: number
  /** The address the first listener is bound to. */
  readonly host: string
  /** The first listener's advertised `host:port`, ready to hand to clients (`[::1]:9092` for IPv6 addresses). */
  readonly bootstrapServers: string
  /** Every listener, in the order configured, with the port actually bound. */
  readonly listeners: readonly ListenerInfo[]
  /** The cluster id Metadata and DescribeCluster report (persisted in `meta.properties`). */
  readonly clusterId: string
  readonly nodeId: number
  /** The storage: topics, partition logs, configs. */
  readonly logs: LogManager
  /**
   * Adds a fault-injection hook that sees every request before its handler (see
   * {@link RequestInterceptor}); returns the function that removes it.
   */
  intercept(interceptor: RequestInterceptor): () => void
  /**
   * Stops accepting connections, lets in-flight requests finish (long-polling fetches answer at
   * once) for up to three seconds, closes every connection, then closes the logs cleanly so the
   * next start skips recovery. Connections are closed within about four seconds whatever their
   * clients do (never read, never close). Calling it again returns the same promise.
   */
  close(): Promise<void>
}

/**
 * Starts a Kafka-compatible broker: opens (or recovers) the data directory and listens for clients.
 *
 * @example
 * ```ts
 * const broker = await startBroker({ port: 0, dataDir: './data' })
 * console.log(`bootstrap servers: ${broker.bootstrapServers}`)
 * // ... point kafkajs, kcat or any Kafka client at it ...
 * await broker.close()
 * ```
 *
 * @throws KafkaError `INVALID_CONFIG` for bad options, `INCONSISTENT_CLUSTER_ID` when the data
 * directory belongs to another cluster or node, `KAFKA_STORAGE_ERROR` when the directory cannot be
 * used (for instance, another broker holds its lock); the listen error (EADDRINUSE) when the port is taken.
 */
export function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  return launchBroker(options, new HandlerRegistry())
}

/**
 * {@link startBroker} with a given handler registry. Internal: the broker's own tests use it to serve
 * a misbehaving handler; it is not exported from the package.
 */
export async function launchBroker(options: BrokerOptions, handlers: HandlerRegistry): Promise<Broker> {
  const o = resolveBrokerOptions(options)
  const logs = await LogManager.open({
    storage: o.storage,
    dataDir: o.dataDir,
    brokerConfigs: o.topicDefaults,
    defaultPartitions: o.defaultPartitions,
    logger: storageLoggerFor(o.logger),
    retentionCheckIntervalMs: o.retentionCheckIntervalMs,
    cleanerIntervalMs: o.cleanerIntervalMs,
    flushCheckIntervalMs: o.flushCheckIntervalMs,
    checkpointIntervalMs: o.checkpointIntervalMs,
    verifySegments: o.verifySegmentsOnStartup,
  })
  let context: BrokerContext | undefined
  // Connections to the first listeners can arrive while later ones are still binding.
  const early: [Socket, BoundListener][] = []
  try {
    const clusterId = loadClusterIdentity(logs.storage, logs.dataDir, o.nodeId, o.clusterId)
    context = new BrokerContext({ options: o, clusterId, logs, handlers })
    let broker: RunningBroker | undefined
    const listeners = await openListeners(o.listeners, o.security.tls, (socket, listener) => (broker ? broker.accept(socket, listener) : early.push([socket, listener])), o.logger)
    context.setPort(listeners[0]!.port)
    broker = new RunningBroker(listeners, context)
    for (const [socket, listener] of early) broker.accept(socket, listener)
    const where = o.storage === 'memory' ? 'memory storage' : `data in ${logs.dataDir}`
    const bound = listeners.map((l) => `${formatListener(l.name, l.host, l.port)} (advertised as ${formatAddress(l.endpoint.advertisedHost, l.endpoint.advertisedPort)})`).join(', ')
    o.logger.info(`broker ${o.nodeId} of cluster ${clusterId} listening on ${bound} (${where}, ${logs.topics().length} topic(s))`)
    return broker
  } catch (err) {
    for (const [socket] of early) socket.destroy()
    context?.beginShutdown()
    context?.finishShutdown()
    await logs.close()
    throw err
  }
}

class RunningBroker implements Broker {
  readonly host: string
  readonly port: number
  readonly bootstrapServers: string
  readonly listeners: readonly ListenerInfo[]
  private readonly interceptors = new InterceptorChain()
  private readonly connections = new Set<Connection>()
  private nextConnectionId = 1
  private closing: Promise<void> | undefined
  private readonly gates: Map<BoundListener, ListenerGate>
  private readonly admission: ConnectionAdmission

  constructor(
    private readonly bound: readonly BoundListener[],
    private readonly context: BrokerContext,
  ) {
    const first = bound[0]!
    this.host = first.host
    this.port = first.port
    this.bootstrapServers = formatAddress(first.endpoint.advertisedHost, first.endpoint.advertisedPort)
    this.listeners = bound.map(({ name, securityProtocol, host, port }) => ({ name, securityProtocol, host, port }))
    this.gates = new Map(bound.map((l) => [l, new ListenerGate(l.endpoint, context.security, context.logger)]))
    this.admission = new ConnectionAdmission(context.options.connections, context.logger)
  }

  get clusterId(): string {
    return this.context.clusterId
  }

  get nodeId(): number {
    return this.context.nodeId
  }

  get logs(): LogManager {
    return this.context.logs
  }

  intercept(interceptor: RequestInterceptor): () => void {
    return this.interceptors.add(interceptor)
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown()
    return this.closing
  }

  /** @internal Serves a client socket of one of the listeners. */
  accept(socket: Socket, listener: BoundListener): void {
    // max.connections and max.connections.per.ip: over the limit, the socket is closed (and logged).
    const release = this.closing ? undefined : this.admission.admit(socket.remoteAddress)
    if (!release) {
      socket.destroy()
      return
    }
    socket.once('close', release)
    const connection = new Connection(socket, this.nextConnectionId++, {
      broker: this.context,
      interceptors: this.interceptors,
      maxRequestSize: this.context.options.maxRequestSize,
      onClosed: (c) => this.connections.delete(c),
      gate: this.gates.get(listener),
    })
    this.connections.add(connection)
  }

  private async shutdown(): Promise<void> {
    const logger = this.context.logger
    logger.info(`broker ${this.context.nodeId} shutting down (${this.connections.size} connection(s) open)`)
    this.context.beginShutdown()
    const stopped = closeListeners(this.bound)
    // Each settles within SHUTDOWN_GRACE_MS plus a second, whatever its client does (see Connection.shutdown).
    await Promise.all([...this.connections].map((c) => c.shutdown(SHUTDOWN_GRACE_MS)))
    // Every connection is closed: a client still in its TLS handshake is cut rather than waited for.
    cutUnservedSockets(this.bound)
    await stopped
    this.context.finishShutdown()
    try {
      await this.context.logs.close()
    } catch (err) {
      logger.error(`closing the logs failed: ${describeError(err)}`)
    }
    logger.info(`broker ${this.context.nodeId} stopped`)
  }
}
