import type { Socket } from 'node:net'
import { ApiVersionsApi, ErrorCode, FrameSplitter, decodeRequestFrame, encodeResponseFrame, type Input, type RequestFrame } from '@tributary/protocol'
import type { AnyHandler, ConnectionInfo, RequestContext } from '../handlers/handler.js'
import { describeError } from '../logger.js'
import type { BrokerContext } from './broker-context.js'
import type { ConnectionGate } from './connection-gate.js'
import { ConnectionGuard, type GuardCloseReason } from './connection-guard.js'
import type { InterceptAction, InterceptorChain } from './interceptors.js'
import { ResponseQueue, type Outcome } from './response-queue.js'

/** How long an ended connection may take to send what it has (and the client to close its side) before it is cut. */
const CLOSE_GRACE_MS = 1_000

export interface ConnectionOptions {
  broker: BrokerContext
  interceptors: InterceptorChain
  maxRequestSize: number
  onClosed: (connection: Connection) => void
  /** The listener's security: principal, SASL-only requests before authentication, unframed SASL tokens. */
  gate?: ConnectionGate
}

type Settle = (outcome: Outcome) => void

/**
 * One client connection: cuts the byte stream into request frames, decodes each, runs interceptors
 * and the handler, and writes responses in request order.
 *
 * Requests start in the order they arrive: the next request's handler is called only after the
 * previous one's interceptors have finished and its handler has been called, so appends from one
 * connection happen in order. Handlers may then finish in any order (a long-polling fetch does not
 * hold up a metadata request behind it), and the response queue restores the order on the wire.
 *
 * Faults stay within the connection: a frame over the size limit, a malformed header or body, or an
 * unknown API key closes it with one log line; a handler that throws answers UNKNOWN_SERVER_ERROR;
 * nothing a client sends reaches other connections or the process.
 *
 * Backpressure and limits (see `limits.ts` and `connection-guard.ts`): reading pauses while the
 * client leaves more than `queued.max.response.bytes` of responses unread (new requests do not start
 * until they drain) or `queued.max.requests` requests wait for their answers; frames already read
 * wait in a backlog. A few handlers at most run at once per connection.
 * An idle connection (`connections.max.idle.ms`) and one whose request takes too long to arrive
 * (`request.assembly.timeout.ms`) are closed.
 */
export class Connection {
  readonly info: ConnectionInfo
  private readonly splitter: FrameSplitter
  private readonly queue: ResponseQueue
  private readonly guard: ConnectionGuard
  /** Frames read while reading was paused; accepted in order once it resumes. */
  private backlog: Buffer[] = []
  private backlogScheduled = false
  /** Aborted when the connection closes or the broker shuts down (see {@link RequestContext.signal}). */
  private readonly done = new AbortController()
  private readonly onBrokerShutdown = () => this.done.abort()
  private starter: Promise<void> = Promise.resolve()
  /** open: serving; closing: no new requests, finishing; closed: the socket is gone. */
  private state: 'open' | 'closing' | 'closed' = 'open'
  /** Requests accepted after this sequence number are not served: a close is scheduled there. */
  private closeAt = Infinity
  private paused = false
  private requestCount = 0
  private lastClientId: string | null = null
  private onDrained: (() => void) | undefined
  private onSocketClosed: (() => void) | undefined
  /** Set once the socket is ended (see {@link endSocket}): destroys it unless it closes first. */
  private cutTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly socket: Socket,
    id: number,
    private readonly o: ConnectionOptions,
  ) {
    this.info = { id, remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`, state: new Map() }
    this.splitter = new FrameSplitter(o.maxRequestSize)
    this.queue = new ResponseQueue(() => this.flush())
    this.guard = new ConnectionGuard(socket, o.broker.options.connections, () => this.splitter.pendingBytes, (why) => this.closeNow(why))
    // A listener rather than AbortSignal.any, so a closed connection leaves nothing behind on the broker's signal.
    o.broker.signal.addEventListener('abort', this.onBrokerShutdown, { once: true })
    if (o.broker.signal.aborted) this.done.abort()
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('drain', () => this.updateFlow())
    socket.on('error', (err) => this.o.broker.logger.debug?.(`${this.describe()}: socket error: ${err.message}`))
    socket.on('close', () => this.onClose())
    o.broker.logger.info(`connection ${id} opened from ${this.info.remoteAddress}`)
    o.gate?.open(this.info, socket)
  }

  /**
   * Stops reading, lets in-flight requests finish (long polls end early: the broker's signal has
   * aborted) and their responses go out for up to `graceMs`, then closes the socket. Settles within
   * `graceMs` + {@link CLOSE_GRACE_MS} whatever the client does (see {@link endSocket}).
   */
  async shutdown(graceMs: number): Promise<void> {
    if (this.state === 'closed') return
    const socketClosed = new Promise<void>((resolve) => (this.onSocketClosed = resolve))
    // Not when already closing: the socket is ended (and its answers given up) by then.
    if (this.state === 'open') {
      this.state = 'closing'
      this.socket.pause()
      if (this.queue.length > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs)
          this.onDrained = () => {
            clearTimeout(timer)
            resolve()
          }
        })
      }
    }
    this.endSocket()
    await socketClosed
  }

  private describe(): string {
    const client = this.lastClientId === null ? '' : ` (client ${JSON.stringify(this.lastClientId)})`
    return `connection ${this.info.id} from ${this.info.remoteAddress}${client}`
  }

  private onData(chunk: Buffer): void {
    if (this.state !== 'open' || this.closeAt !== Infinity) return
    let frames: Buffer[]
    try {
      frames = this.splitter.push(chunk)
    } catch (err) {
      this.abort(describeError(err))
      return
    }
    this.guard.noteFrames(frames.length)
    for (const frame of frames) this.backlog.push(frame)
    this.acceptBacklog()
  }

  /** Accepts backlogged frames in order until the connection must pause. */
  private acceptBacklog(): void {
    this.backlogScheduled = false
    while (this.backlog.length > 0 && !this.mustPause()) {
      const frame = this.backlog.shift()!
      if (this.state !== 'open' || this.closeAt !== Infinity) return
      try {
        this.accept(frame)
      } catch (err) {
        // Nothing a client sends may escape into the process; this is a bug, so it is logged as one.
        this.o.broker.logger.error(`${this.describe()}: accepting a request failed unexpectedly`, err)
        this.abort('the broker failed to read a request')
      }
    }
    this.updateFlow()
  }

  private accept(frame: Buffer): void {
    // A client sends the next SASL token only after reading the answer to the previous step, so
    // the gate's state is current here even though handlers run a little later.
    const token = this.o.gate?.unframedToken(this.info)
    if (token) return this.acceptToken(frame, token)
    const handlers = this.o.broker.handlers
    let header: RequestFrame
    try {
      header = decodeRequestFrame(frame, (key) => handlers.get(key)?.api)
    } catch (err) {
      this.abort(`malformed request header: ${describeError(err)}`)
      return
    }
    const seq = ++this.requestCount
    if (header.clientId !== null) this.lastClientId = header.clientId
    const handler = handlers.get(header.apiKey)
    if (!handler) {
      this.abort(`unknown API key ${header.apiKey} (correlation id ${header.correlationId})`)
      return
    }
    const settle = this.queue.reserve()
    this.updateFlow()
    if (header.apiVersion < handler.minVersion || header.apiVersion > handler.maxVersion) {
      this.answerUnsupportedVersion(header, handler, seq, settle)
      return
    }
    let request: unknown
    try {
      request = handler.api.decodeRequest(header.body, header.apiVersion)
    } catch (err) {
      this.abort(`malformed ${handler.api.name} v${header.apiVersion} request (correlation id ${header.correlationId}): ${describeError(err)}`, seq, settle)
      return
    }
    this.starter = this.starter
      .then(() => this.start(header, handler, request, seq, settle))
      .catch((err: unknown) => {
        this.o.broker.logger.error(`${this.describe()}: starting ${handler.api.name} failed`, err)
        this.scheduleClose('a request could not be started', seq, settle)
      })
  }

  /** An unframed SASL token (after SaslHandshake v0): answered with a size-prefixed reply, in order; a failure closes the connection. */
  private acceptToken(frame: Buffer, token: (bytes: Buffer) => Buffer): void {
    const seq = ++this.requestCount
    const settle = this.queue.reserve()
    this.updateFlow()
    this.starter = this.starter.then(() => {
      if (this.isCut(seq)) return settle({ kind: 'skip' })
      try {
        const reply = token(frame)
        const sized = Buffer.allocUnsafe(4 + reply.length)
        sized.writeInt32BE(reply.length, 0)
        reply.copy(sized, 4)
        settle({ kind: 'send', frame: sized })
      } catch (err) {
        this.scheduleClose(describeError(err), seq, settle, true)
      }
    })
  }

  /**
   * ApiVersions answers in v0 with UNSUPPORTED_VERSION and the version list, so the client can pick
   * a version from it. Other APIs answer UNSUPPORTED_VERSION through their handler's error response
   * when the codec can still read the request; beyond that the connection closes.
   */
  private answerUnsupportedVersion(header: RequestFrame, handler: AnyHandler, seq: number, settle: Settle): void {
    const { apiKey, apiVersion, correlationId } = header
    const what = `${handler.api.name} v${apiVersion} (this broker serves v${handler.minVersion}-${handler.maxVersion})`
    if (apiKey === ApiVersionsApi.apiKey) {
      this.o.broker.logger.debug?.(`${this.describe()}: ${what}; answered UNSUPPORTED_VERSION with the version list`)
      const body = { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: this.o.broker.handlers.apiVersions() }
      settle({ kind: 'send', frame: encodeResponseFrame(ApiVersionsApi, 0, correlationId, body) })
      return
    }
    const refusal = this.o.gate?.refuse(apiKey, handler.api.name, this.info)
    if (refusal !== undefined) return this.abort(refusal, seq, settle)
    if (!header.supported) {
      this.abort(`${what} cannot be decoded`, seq, settle)
      return
    }
    this.o.broker.logger.warn(`${this.describe()}: ${what}; answered UNSUPPORTED_VERSION`)
    try {
      const request = handler.api.decodeRequest(header.body, apiVersion)
      this.answerError(header, handler, request, this.context(header, seq, settle), ErrorCode.UNSUPPORTED_VERSION, seq, settle)
    } catch (err) {
      this.abort(`malformed ${what} request: ${describeError(err)}`, seq, settle)
    }
  }

  private context(header: RequestFrame, seq: number, settle: Settle): RequestContext {
    return {
      broker: this.o.broker,
      connection: this.info,
      apiVersion: header.apiVersion,
      correlationId: header.correlationId,
      clientId: header.clientId,
      signal: this.signal,
      closeConnection: (reason) => this.scheduleClose(reason, seq, settle),
    }
  }

  /** Closes the connection at request `seq`: later requests are not served, earlier ones are answered first. */
  private scheduleClose(reason: string, seq: number, settle: Settle, violation = false): void {
    this.closeAt = Math.min(this.closeAt, seq)
    settle({ kind: 'close', reason, violation })
  }

  private isCut(seq: number): boolean {
    return this.state !== 'open' || seq > this.closeAt
  }

  private async start(header: RequestFrame, handler: AnyHandler, request: unknown, seq: number, settle: Settle): Promise<void> {
    // A client that leaves its answers unread gets no new ones built until they drain, and only a
    // few handlers run at once for one connection.
    if (!this.guard.canStart) await this.guard.mayStart()
    if (this.isCut(seq)) return settle({ kind: 'skip' })
    const refusal = this.o.gate?.refuse(header.apiKey, handler.api.name, this.info)
    if (refusal !== undefined) return this.scheduleClose(refusal, seq, settle, true)
    const ctx = this.context(header, seq, settle)
    let action: Omit<InterceptAction, 'delayMs'> = {}
    if (!this.o.interceptors.isEmpty) {
      try {
        const seen = { apiKey: header.apiKey, apiName: handler.api.name, apiVersion: header.apiVersion, correlationId: header.correlationId, clientId: header.clientId, connectionId: this.info.id, request }
        action = await this.o.interceptors.run(seen, this.signal)
      } catch (err) {
        this.o.broker.logger.error(`${this.describe()}: an interceptor of ${handler.api.name} failed`, err)
        action = { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR }
      }
      if (this.isCut(seq)) return settle({ kind: 'skip' })
    }
    if (action.disconnect) return this.scheduleClose(`an interceptor disconnected it at ${handler.api.name} (correlation id ${header.correlationId})`, seq, settle)
    if (action.drop) return settle({ kind: 'skip' })
    const code = action.errorCode
    this.guard.handlerStarted()
    const work = attempt(() => (code === undefined ? handler.handle(request, ctx) : handler.errorResponse(request, code, ctx)))
    void work.then(
      (body) => {
        this.guard.handlerSettled()
        if (action.afterHandle === 'drop') settle({ kind: 'skip' })
        else if (action.afterHandle === 'disconnect') this.scheduleClose(`an interceptor disconnected it after handling ${handler.api.name} (correlation id ${header.correlationId})`, seq, settle)
        else this.send(header, handler, request, ctx, body, seq, settle)
      },
      (err: unknown) => {
        this.guard.handlerSettled()
        this.o.broker.logger.error(`${this.describe()}: ${handler.api.name} v${header.apiVersion} (correlation id ${header.correlationId}) failed; answering UNKNOWN_SERVER_ERROR`, err)
        this.answerError(header, handler, request, ctx, ErrorCode.UNKNOWN_SERVER_ERROR, seq, settle)
      },
    )
  }

  private send(header: RequestFrame, handler: AnyHandler, request: unknown, ctx: RequestContext, body: Input<unknown> | null, seq: number, settle: Settle): void {
    if (body === null) return settle({ kind: 'skip' })
    try {
      settle({ kind: 'send', frame: encodeResponseFrame(handler.api, header.apiVersion, header.correlationId, body) })
      const closeReason = this.o.gate?.closeAfterResponse(this.info)
      if (closeReason !== undefined) this.scheduleClose(closeReason, seq, this.queue.reserve())
    } catch (err) {
      this.o.broker.logger.error(`${this.describe()}: encoding the ${handler.api.name} v${header.apiVersion} response failed; answering UNKNOWN_SERVER_ERROR`, err)
      this.answerError(header, handler, request, ctx, ErrorCode.UNKNOWN_SERVER_ERROR, seq, settle)
    }
  }

  private answerError(header: RequestFrame, handler: AnyHandler, request: unknown, ctx: RequestContext, errorCode: number, seq: number, settle: Settle): void {
    try {
      const body = handler.errorResponse(request, errorCode, ctx)
      if (body === null) return settle({ kind: 'skip' })
      settle({ kind: 'send', frame: encodeResponseFrame(handler.api, header.apiVersion, header.correlationId, body) })
    } catch (err) {
      this.o.broker.logger.error(`${this.describe()}: the ${handler.api.name} error response failed too`, err)
      this.scheduleClose(`no ${handler.api.name} response could be built`, seq, settle)
    }
  }

  private flush(): void {
    if (this.state === 'closed') return
    for (const outcome of this.queue.takeReady()) {
      if (outcome.kind === 'send') {
        this.socket.write(outcome.frame)
      } else if (outcome.kind === 'close') {
        const logger = this.o.broker.logger
        if (outcome.violation) logger.warn(`closing ${this.describe()}: ${outcome.reason}`)
        else logger.info(`closing ${this.describe()}: ${outcome.reason}`)
        this.queue.clear()
        this.state = 'closing'
        this.endSocket()
        return
      }
    }
    this.updateFlow()
    if (this.queue.length === 0) this.onDrained?.()
  }

  /** Whether no more requests may be accepted for now: too many wait, or too many answers are unread. */
  private mustPause(): boolean {
    return this.guard.overBudget || this.queue.length >= this.o.broker.options.connections.queuedMaxRequests
  }

  private updateFlow(): void {
    // An ended socket is read (and what arrives discarded) until it closes: see endSocket.
    if (this.cutTimer) return
    const pause = this.mustPause() || this.state !== 'open'
    if (pause && !this.paused) {
      this.socket.pause()
      this.guard.pauseAssembly()
      if (this.state === 'open') this.o.broker.logger.debug?.(`${this.describe()}: reading paused: ${this.pauseReason()}`)
    } else if (!pause && this.paused) {
      this.socket.resume()
      this.guard.resumeAssembly()
      this.o.broker.logger.debug?.(`${this.describe()}: reading resumed`)
    }
    this.paused = pause
    if (!pause && this.backlog.length > 0 && !this.backlogScheduled) {
      // Not from here: flush() may be running inside a settle of the request being accepted.
      this.backlogScheduled = true
      setImmediate(() => this.acceptBacklog())
    }
  }

  private pauseReason(): string {
    const limits = this.o.broker.options.connections
    if (this.guard.overBudget) return `${this.socket.writableLength} bytes of answers unread by the client (queued.max.response.bytes=${limits.maxUnsentResponseBytes})`
    return `${this.queue.length} requests wait for their answers (queued.max.requests=${limits.queuedMaxRequests})`
  }

  /** Closes at once, without waiting for answers still in flight: the connection idled or broke a limit. */
  private closeNow(why: GuardCloseReason): void {
    if (this.state !== 'open') return
    const logger = this.o.broker.logger
    if (why.violation) logger.warn(`closing ${this.describe()}: ${why.reason}`)
    else logger.info(`closing ${this.describe()}: ${why.reason}`)
    this.queue.clear()
    this.backlog = []
    this.state = 'closing'
    this.done.abort()
    this.guard.stop()
    this.endSocket()
  }

  /**
   * Ends the socket after what is written, and destroys it if it has not closed within
   * {@link CLOSE_GRACE_MS}: the socket is gone by then whatever the client does (never reads,
   * never closes), so `shutdown()`, and the broker's `close()` awaiting it, always settle.
   *
   * Reading resumes (the bytes are dropped: no request is served any more), since a paused socket
   * never sees the client close its side and would wait for the timer. The timer is not unref'd:
   * with it, the process stays up until the socket is gone; unref'd, a process with nothing else
   * to do would exit with `close()` never settled (exit code 13 for a top-level await).
   */
  private endSocket(): void {
    if (this.cutTimer || this.state === 'closed') return
    this.cutTimer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS)
    this.socket.end()
    this.socket.resume()
  }

  /**
   * Handles a protocol violation: nothing more is read (the stream cannot be trusted any more), and
   * the connection closes once the answers to the requests before it are written.
   */
  private abort(reason: string, seq = this.requestCount + 1, settle: Settle = this.queue.reserve()): void {
    this.scheduleClose(reason, seq, settle, true)
  }

  private get signal(): AbortSignal {
    return this.done.signal
  }

  private onClose(): void {
    this.state = 'closed'
    clearTimeout(this.cutTimer)
    this.done.abort()
    this.guard.stop()
    this.backlog = []
    this.o.broker.signal.removeEventListener('abort', this.onBrokerShutdown)
    this.queue.clear()
    const software = this.info.clientSoftware ? `, ${this.info.clientSoftware.name} ${this.info.clientSoftware.version}` : ''
    this.o.broker.logger.info(`${this.describe()} closed after ${this.requestCount} request(s)${software}`)
    this.onDrained?.()
    this.onSocketClosed?.()
    this.o.onClosed(this)
  }
}

/** Calls `fn`, turning a synchronous throw into a rejected promise. */
function attempt<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn())
  } catch (err) {
    return Promise.reject(err)
  }
}
