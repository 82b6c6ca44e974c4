import type { Socket } from 'node:net'
import {
  DecodeError,
  FrameSplitter,
  KafkaError,
  decodeResponseFrame,
  encodeRequestFrame,
  responseCorrelationId,
  type ApiDefinition,
  type Input,
} from '@tributary/protocol'
import { AbortError, ConnectionError, RequestTimeoutError } from '../errors/client-errors.js'
import { silentLogger, type Logger } from '../options/logger.js'
import type { SaslOptions, TlsOptions } from '../options/client-options.js'
import { authenticate } from './sasl/authenticate.js'
import { negotiateApiVersions } from './negotiate.js'
import { openSocket } from './socket.js'
import { SlotQueue } from './slot-queue.js'
import type { ApiIdentity, ApiVersionTable } from './versions.js'

/** What {@link Connection.open} needs: where to connect and how. */
export interface ConnectionOptions {
  host: string
  port: number
  /** The broker's node id when known, for logs. */
  nodeId?: number
  clientId: string
  requestTimeoutMs: number
  socketConnectionSetupTimeoutMs: number
  ssl?: boolean | TlsOptions
  sasl?: SaslOptions
  logger?: Logger
  /** Requests awaiting a response at once; more wait their turn in order (Kafka `max.in.flight.requests.per.connection`). Default unlimited. */
  maxInFlightRequests?: number
  /** The largest response frame accepted (default 100 MiB). */
  maxResponseSize?: number
}

/** Per-request settings for {@link Connection.request}. */
export interface RequestOptions {
  /** Send exactly this version instead of the negotiated one. */
  version?: number
  /** Cap the negotiated version (for callers that only handle versions up to some point). */
  maxVersion?: number
  /** Overrides `requestTimeoutMs`, e.g. a long-polling Fetch waits `maxWaitMs + requestTimeoutMs`. */
  timeoutMs?: number
  signal?: AbortSignal
}

/** A request body, or a function building it for the version that will be sent. */
export type RequestBody<Req> = Input<Req> | ((version: number) => Input<Req>)

export type ConnectionState = 'negotiating' | 'ready' | 'closed'

interface Pending {
  api: string
  decode(frame: Buffer): unknown
  resolve(value: unknown): void
  reject(error: unknown): void
  timer: NodeJS.Timeout
  cleanup(): void
}

/** How many abandoned (timed-out or aborted) correlation ids are remembered, so their late responses are dropped quietly. */
const ABANDONED_LIMIT = 4096

/**
 * One connection to one broker: size-prefixed frames over TCP or TLS, requests pipelined and matched to
 * responses by correlation id (in any order), a timeout per request, and the broker's API versions
 * negotiated (and SASL completed) before {@link Connection.open} resolves.
 *
 * A request that times out fails alone, but the connection becomes `suspect`: pools stop handing it out
 * and close it once its other requests finish, as Kafka's clients do. When the connection closes, for any
 * reason, every request in flight is rejected with a retriable {@link ConnectionError}.
 *
 * @example
 * ```ts
 * const conn = await Connection.open({ host: 'localhost', port: 9092, clientId: 'app', requestTimeoutMs: 30_000, socketConnectionSetupTimeoutMs: 10_000 })
 * const metadata = await conn.request(MetadataApi, { topics: null })
 * conn.close()
 * ```
 */
export class Connection {
  readonly address: string
  readonly nodeId: number | undefined
  private readonly logger: Logger
  private readonly splitter: FrameSplitter
  private readonly pending = new Map<number, Pending>()
  private readonly abandoned = new Set<number>()
  private readonly slots: SlotQueue
  private readonly closeListeners = new Set<(error: KafkaError) => void>()
  private readonly suspectListeners = new Set<() => void>()
  private drainWaiters: { resolve(): void; reject(e: unknown): void }[] = []
  private correlationId = 0
  private apiVersions: ApiVersionTable | undefined
  private closeError: KafkaError | undefined
  private retireTimer: NodeJS.Timeout | undefined
  private closeWhenIdleRequested = false
  private isSuspect = false
  private currentState: ConnectionState = 'negotiating'
  /** When bytes were last written or read (ms since the epoch), for idle reaping. */
  lastActivityAt = Date.now()

  /**
   * Connects, negotiates API versions (ApiVersions first, falling back to the version the broker offers)
   * and authenticates with SASL when configured. Rejects with a retriable {@link ConnectionError} when the
   * broker cannot be reached, or with the negotiation or authentication error.
   */
  static async open(options: ConnectionOptions): Promise<Connection> {
    const socket = await openSocket({ host: options.host, port: options.port, ssl: options.ssl, timeoutMs: options.socketConnectionSetupTimeoutMs })
    const conn = new Connection(socket, options)
    try {
      conn.apiVersions = await negotiateApiVersions(conn)
      if (options.sasl) await authenticate(conn, options.sasl)
    } catch (err) {
      conn.destroy(new ConnectionError(conn.address, 'Connection setup failed', { cause: err }))
      throw err
    }
    if (conn.currentState === 'closed') throw conn.closeError
    conn.currentState = 'ready'
    return conn
  }

  private constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.address = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`
    this.nodeId = options.nodeId
    this.logger = options.logger ?? silentLogger
    this.splitter = new FrameSplitter(options.maxResponseSize)
    this.slots = new SlotQueue(options.maxInFlightRequests ?? Number.POSITIVE_INFINITY)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('drain', () => this.settleDrainWaiters())
    socket.on('error', (err) => this.destroy(new ConnectionError(this.address, `Connection error: ${err.message}`, { cause: err })))
    socket.on('close', () => this.destroy(new ConnectionError(this.address, 'The connection was closed by the broker')))
  }

  get state(): ConnectionState {
    return this.currentState
  }

  /** True after a request timed out (or the broker's SASL session is about to expire): use a new connection. */
  get suspect(): boolean {
    return this.isSuspect
  }

  /** Ready, not suspect and not closed: fit for new requests. */
  get usable(): boolean {
    return this.currentState === 'ready' && !this.isSuspect
  }

  /** Requests written (or waiting for a slot) whose responses have not arrived. */
  get inFlight(): number {
    return this.pending.size + this.slots.waiting
  }

  /** The versions the broker advertised. Throws while the connection is still negotiating. */
  get versions(): ApiVersionTable {
    if (!this.apiVersions) throw new KafkaError(`Connection to ${this.address} has not negotiated API versions yet`, { code: 'ILLEGAL_STATE' })
    return this.apiVersions
  }

  /** The version a request of `api` will use: the highest both sides support (capped at `maxVersion`). */
  versionFor(api: ApiIdentity, maxVersion?: number): number {
    return this.versions.versionFor(api, maxVersion)
  }

  /**
   * Sends a request and resolves with the decoded response. The version is the negotiated one unless
   * `options.version` is given; `body` may be a function of that version. Rejects with
   * {@link RequestTimeoutError} after `requestTimeoutMs`, {@link ConnectionError} when the connection
   * closes first, or `UnsupportedVersionError` when the broker shares no version of the API.
   */
  async request<Req, Res>(api: ApiDefinition<Req, Res>, body: RequestBody<Req>, options: RequestOptions = {}): Promise<Res> {
    const version = options.version ?? this.versions.versionFor(api, options.maxVersion)
    const payload = typeof body === 'function' ? (body as (v: number) => Input<Req>)(version) : body
    return this.exchange(api, version, payload, (frame) => decodeResponseFrame(api, version, frame).body, options)
  }

  /**
   * Sends a request the broker will not answer (Produce with acks=0). Resolves once the socket has taken
   * the bytes, waiting for the socket to drain when its buffer is full: awaiting it is the backpressure.
   */
  async sendWithoutResponse<Req>(api: ApiDefinition<Req, unknown>, body: RequestBody<Req>, options: Omit<RequestOptions, 'timeoutMs'> = {}): Promise<void> {
    const version = options.version ?? this.versions.versionFor(api, options.maxVersion)
    const payload = typeof body === 'function' ? (body as (v: number) => Input<Req>)(version) : body
    this.checkOpen(options.signal)
    await this.slots.acquire(options.signal)
    try {
      this.checkOpen(options.signal)
      await this.write(encodeRequestFrame(api, version, { correlationId: this.nextCorrelationId(), clientId: this.options.clientId }, payload))
    } finally {
      this.release()
    }
  }

  /**
   * The low-level form of {@link request}: an exact version and a caller-supplied decoder of the response
   * frame (without its size prefix). Version negotiation uses it before versions are known.
   */
  async exchange<Req, T>(
    api: ApiDefinition<Req, unknown>,
    version: number,
    body: Input<Req>,
    decode: (frame: Buffer) => T,
    options: Omit<RequestOptions, 'version' | 'maxVersion'> = {},
  ): Promise<T> {
    this.checkOpen(options.signal)
    await this.slots.acquire(options.signal)
    let frame: Buffer
    const correlationId = this.nextCorrelationId()
    try {
      this.checkOpen(options.signal)
      frame = encodeRequestFrame(api, version, { correlationId, clientId: this.options.clientId }, body)
    } catch (err) {
      this.release()
      throw err
    }
    const label = `${api.name} v${version}`
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs
    const signal = options.signal
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => this.abandon(correlationId, new AbortError(signal!.reason))
      const entry: Pending = {
        api: label,
        decode,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer: setTimeout(() => this.onTimeout(correlationId, timeoutMs), timeoutMs),
        cleanup: () => {
          clearTimeout(entry.timer)
          signal?.removeEventListener('abort', onAbort)
        },
      }
      this.pending.set(correlationId, entry)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.write(frame).catch(() => {
        // A failed write closes the socket, which rejects this request with the connection's error.
      })
    })
  }

  /** Calls `listener` once when the connection closes, with the error in-flight requests were rejected with. */
  onClose(listener: (error: KafkaError) => void): () => void {
    if (this.closeError) {
      queueMicrotask(() => listener(this.closeError!))
      return () => {}
    }
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }

  /** Calls `listener` when the connection becomes suspect. */
  onSuspect(listener: () => void): () => void {
    this.suspectListeners.add(listener)
    return () => this.suspectListeners.delete(listener)
  }

  /** Marks the connection suspect: no new requests should use it. */
  markSuspect(reason: string): void {
    if (this.isSuspect || this.currentState === 'closed') return
    this.isSuspect = true
    this.logger.warn(`Connection to ${this.address} is suspect: ${reason}`, { broker: this.address, nodeId: this.nodeId })
    for (const listener of [...this.suspectListeners]) listener()
  }

  /** Marks the connection suspect after `ms` (a SASL session lifetime), so that a fresh one replaces it in time. */
  retireAfter(ms: number): void {
    clearTimeout(this.retireTimer)
    this.retireTimer = setTimeout(() => {
      this.markSuspect('the SASL session is about to expire')
      this.closeWhenIdle()
    }, ms)
    this.retireTimer.unref()
  }

  /** Closes the connection once no request is in flight (at once if none is). */
  closeWhenIdle(): void {
    this.closeWhenIdleRequested = true
    if (this.inFlight === 0) this.close()
  }

  /** Closes the connection now. Requests in flight are rejected with a retriable {@link ConnectionError}. */
  close(): void {
    this.destroy(new ConnectionError(this.address, 'The connection was closed by the client', { code: 'CONNECTION_CLOSED' }))
  }

  /** Closes the connection now, rejecting requests in flight with `error`. Idempotent. */
  destroy(error: KafkaError): void {
    if (this.currentState === 'closed') return
    this.currentState = 'closed'
    this.closeError = error
    clearTimeout(this.retireTimer)
    this.socket.destroy()
    const pending = [...this.pending.values()]
    this.pending.clear()
    for (const p of pending) {
      p.cleanup()
      p.reject(error)
    }
    this.slots.rejectAll(error)
    const waiters = this.drainWaiters
    this.drainWaiters = []
    for (const w of waiters) w.reject(error)
    for (const listener of [...this.closeListeners]) listener(error)
    this.closeListeners.clear()
    this.suspectListeners.clear()
  }

  private checkOpen(signal: AbortSignal | undefined): void {
    if (this.closeError) throw this.closeError
    if (signal?.aborted) throw new AbortError(signal.reason)
  }

  private nextCorrelationId(): number {
    this.correlationId = this.correlationId === 0x7fffffff ? 0 : this.correlationId + 1
    return this.correlationId
  }

  private write(frame: Buffer): Promise<void> {
    this.lastActivityAt = Date.now()
    if (this.socket.write(frame)) return Promise.resolve()
    return new Promise((resolve, reject) => this.drainWaiters.push({ resolve, reject }))
  }

  private settleDrainWaiters(): void {
    const waiters = this.drainWaiters
    this.drainWaiters = []
    for (const w of waiters) w.resolve()
  }

  private onData(chunk: Buffer): void {
    this.lastActivityAt = Date.now()
    let frames: Buffer[]
    try {
      frames = this.splitter.push(chunk)
    } catch (err) {
      this.destroy(new ConnectionError(this.address, `Received an invalid frame: ${(err as Error).message}`, { cause: err }))
      return
    }
    for (const frame of frames) {
      if (this.currentState === 'closed') return
      this.onFrame(frame)
    }
  }

  private onFrame(frame: Buffer): void {
    let id: number
    try {
      id = responseCorrelationId(frame)
    } catch (err) {
      this.destroy(new ConnectionError(this.address, 'Received a response too short to carry a correlation id', { cause: err }))
      return
    }
    const entry = this.pending.get(id)
    if (!entry) {
      if (this.abandoned.delete(id)) {
        this.logger.debug(`Dropped a late response from ${this.address}`, { correlationId: id })
        return
      }
      this.destroy(new ConnectionError(this.address, `Received a response with correlation id ${id}, which matches no request sent on this connection`))
      return
    }
    this.pending.delete(id)
    entry.cleanup()
    this.release()
    let value: unknown
    try {
      value = entry.decode(frame)
    } catch (err) {
      const message = `Could not decode the ${entry.api} response from ${this.address}: ${(err as Error).message}`
      entry.reject(err instanceof KafkaError && !(err instanceof DecodeError) ? err : new DecodeError(message, err))
      return
    }
    entry.resolve(value)
  }

  private onTimeout(id: number, timeoutMs: number): void {
    const entry = this.pending.get(id)
    if (!entry) return
    this.abandon(id, new RequestTimeoutError(this.address, entry.api, timeoutMs))
    this.markSuspect(`${entry.api} timed out after ${timeoutMs} ms`)
  }

  /** Fails one request without closing the connection, remembering its id so the late response is dropped. */
  private abandon(id: number, error: KafkaError): void {
    const entry = this.pending.get(id)
    if (!entry) return
    this.pending.delete(id)
    entry.cleanup()
    this.abandoned.add(id)
    if (this.abandoned.size > ABANDONED_LIMIT) this.abandoned.delete(this.abandoned.values().next().value!)
    this.release()
    entry.reject(error)
  }

  private release(): void {
    this.slots.release()
    if (this.closeWhenIdleRequested && this.inFlight === 0) queueMicrotask(() => this.close())
  }
}
