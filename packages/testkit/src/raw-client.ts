import { connect, type Socket } from 'node:net'
import { FrameSplitter, decodeResponseFrame, encodeRequestFrame, responseCorrelationId, type ApiDefinition, type Input } from '@tributary/protocol'

/** Options of one request. */
export interface RawRequestOptions {
  /** Default `'testkit'`; null sends a null client id. */
  clientId?: string | null
  /** Reject when no response arrives in time. Default 10 000 ms. */
  timeoutMs?: number
}

interface Pending {
  resolve: (frame: Buffer) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

/**
 * A bare Kafka protocol connection for tests: sends requests built with the protocol package's
 * codecs over a real socket and matches responses by correlation id. It does no negotiation, retries
 * or metadata handling, so tests see exactly what the broker answers.
 *
 * @example
 * ```ts
 * const client = await RawClient.connect(broker.port)
 * const res = await client.request(MetadataApi, 12, { topics: null })
 * await client.close()
 * ```
 */
export class RawClient {
  /** Correlation ids of responses in the order they arrived. */
  readonly arrivals: number[] = []
  /** Resolves when the socket closes, whoever closed it. */
  readonly closed: Promise<void>
  private nextCorrelationId = 1
  private readonly pending = new Map<number, Pending>()
  private readonly splitter = new FrameSplitter()
  private isOpen = true

  private constructor(private readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.splitter.push(chunk)) this.receive(frame)
    })
    socket.on('error', () => {
      // A reset shows up as 'close' too, which fails whatever is pending.
    })
    socket.on('close', () => {
      this.isOpen = false
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer)
        p.reject(new Error(`The connection closed before the response to correlation id ${id} arrived`))
      }
      this.pending.clear()
    })
  }

  /** Connects to a broker. */
  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true })
      socket.once('connect', () => resolve(new RawClient(socket)))
      socket.once('error', reject)
    })
  }

  /** Whether the socket is still open. */
  get isConnected(): boolean {
    return this.isOpen
  }

  /** Sends a request and resolves with the decoded response body. */
  request<Req, Res>(api: ApiDefinition<Req, Res>, version: number, body: Input<Req>, options: RawRequestOptions = {}): Promise<Res> {
    return this.send(api, version, body, options).response
  }

  /**
   * Sends a request without waiting, so that several can be in flight. `response` settles when the
   * answer arrives; a request that gets none (acks=0) should pass `expectResponse: false`.
   */
  send<Req, Res>(
    api: ApiDefinition<Req, Res>,
    version: number,
    body: Input<Req>,
    options: RawRequestOptions & { expectResponse?: boolean } = {},
  ): { correlationId: number; response: Promise<Res> } {
    const correlationId = this.nextCorrelationId++
    const frame = encodeRequestFrame(api, version, { correlationId, clientId: options.clientId === undefined ? 'testkit' : options.clientId }, body)
    const response =
      options.expectResponse === false
        ? Promise.resolve(undefined as Res)
        : this.expect(correlationId, options.timeoutMs).then((f) => decodeResponseFrame(api, version, f).body)
    this.socket.write(frame)
    return { correlationId, response }
  }

  /** Writes raw bytes, for malformed or hand-built frames. */
  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes)
  }

  /** Waits for the response frame (without its size prefix) with this correlation id. */
  expect(correlationId: number, timeoutMs = 10_000): Promise<Buffer> {
    if (!this.isOpen) return Promise.reject(new Error('The connection is closed'))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId)
        reject(new Error(`No response to correlation id ${correlationId} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(correlationId, { resolve, reject, timer })
    })
  }

  /** A correlation id not used by {@link send}, for hand-built frames. */
  reserveCorrelationId(): number {
    return this.nextCorrelationId++
  }

  /** Closes the connection and waits until it is closed. */
  async close(): Promise<void> {
    if (this.isOpen) this.socket.end()
    const timer = setTimeout(() => this.socket.destroy(), 1_000)
    await this.closed
    clearTimeout(timer)
  }

  private receive(frame: Buffer): void {
    const id = responseCorrelationId(frame)
    this.arrivals.push(id)
    const p = this.pending.get(id)
    if (!p) return
    this.pending.delete(id)
    clearTimeout(p.timer)
    p.resolve(frame)
  }
}
