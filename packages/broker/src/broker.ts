import { createServer, type Server, type Socket } from 'node:net'
import { HandlerRegistry } from './handlers/index.js'
import { LogManager } from './log/log-manager.js'
import { describeError, storageLoggerFor } from './logger.js'
import { resolveBrokerOptions, type BrokerOptions } from './options.js'
import { BrokerContext } from './server/broker-context.js'
import { Connection } from './server/connection.js'
import { InterceptorChain, type RequestInterceptor } from './server/interceptors.js'
import { loadClusterIdentity } from './server/meta-properties.js'

/** How long `close()` lets in-flight requests finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 3_000

/** A running broker. */
export interface Broker {
  /** The port it listens on (the real one when started with port 0). */
  readonly port: number
  /** The address it is bound to. */
  readonly host: string
  /** `advertisedHost:port`, ready to hand to clients (`[::1]:9092` for IPv6 addresses). */
  readonly bootstrapServers: string
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
   * next start skips recovery. Calling it again returns the same promise.
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
  })
  let context: BrokerContext | undefined
  try {
    const clusterId = loadClusterIdentity(logs.storage, logs.dataDir, o.nodeId, o.clusterId)
    context = new BrokerContext({ options: o, clusterId, logs, handlers })
    const server = createServer({ noDelay: true })
    await listen(server, o.port, o.host)
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : o.port
    context.setPort(port)
    const broker = new RunningBroker(server, context, port)
    const where = o.storage === 'memory' ? 'memory storage' : `data in ${logs.dataDir}`
    o.logger.info(`broker ${o.nodeId} of cluster ${clusterId} listening on ${o.host}:${port}, advertised as ${broker.bootstrapServers} (${where}, ${logs.topics().length} topic(s))`)
    return broker
  } catch (err) {
    context?.beginShutdown()
    context?.finishShutdown()
    await logs.close()
    throw err
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err)
    server.once('error', onError)
    server.listen({ port, host }, () => {
      server.off('error', onError)
      resolve()
    })
  })
}

class RunningBroker implements Broker {
  readonly host: string
  readonly bootstrapServers: string
  private readonly interceptors = new InterceptorChain()
  private readonly connections = new Set<Connection>()
  private nextConnectionId = 1
  private closing: Promise<void> | undefined

  constructor(
    private readonly server: Server,
    private readonly context: BrokerContext,
    readonly port: number,
  ) {
    this.host = context.options.host
    const advertised = context.options.advertisedHost
    this.bootstrapServers = `${advertised.includes(':') ? `[${advertised}]` : advertised}:${port}`
    server.on('connection', (socket) => this.accept(socket))
    server.on('error', (err) => context.logger.error('the listener failed', err))
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

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy()
      return
    }
    const connection = new Connection(socket, this.nextConnectionId++, {
      broker: this.context,
      interceptors: this.interceptors,
      maxRequestSize: this.context.options.maxRequestSize,
      onClosed: (c) => this.connections.delete(c),
    })
    this.connections.add(connection)
  }

  private async shutdown(): Promise<void> {
    const logger = this.context.logger
    logger.info(`broker ${this.context.nodeId} shutting down (${this.connections.size} connection(s) open)`)
    this.context.beginShutdown()
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()))
    await Promise.all([...this.connections].map((c) => c.shutdown(SHUTDOWN_GRACE_MS)))
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
