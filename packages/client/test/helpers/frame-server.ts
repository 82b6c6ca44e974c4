import net from 'node:net'
import tls from 'node:tls'
import {
  API_DEFINITIONS,
  ApiVersionsApi,
  FrameSplitter,
  decodeRequestFrame,
  encodeResponseFrame,
  type ApiDefinition,
  type Input,
  type RequestFrame,
} from '@tributary/protocol'

/** How a test handler answers one request. */
export interface Reply {
  /** The decoded request body (for known APIs at supported versions). */
  body: unknown
  /** Encodes `response` for the request's API and version and writes it. */
  send<Res>(api: ApiDefinition<unknown, Res>, response: Input<Res>): void
  /** The encoded response frame, without writing it (to reorder or split it). */
  encode<Res>(api: ApiDefinition<unknown, Res>, response: Input<Res>): Buffer
  socket: net.Socket
}

export type Handler = (request: RequestFrame, reply: Reply) => unknown

export interface FrameServerOptions {
  /** Advertised API versions; default every API at this codec's full range. */
  versions?: { apiKey: number; minVersion: number; maxVersion: number }[]
  /** Answer ApiVersions automatically (default true). */
  answerApiVersions?: boolean
  tls?: tls.TlsOptions
}

export interface FrameServer {
  port: number
  address: string
  requests: RequestFrame[]
  /** Sockets accepted so far. */
  sockets: net.Socket[]
  close(): Promise<void>
}

/**
 * A real TCP (or TLS) server speaking Kafka frames, with a handler written in the test. Connection tests
 * use it to control timing, order and framing of responses exactly.
 */
export async function startFrameServer(handler: Handler, options: FrameServerOptions = {}): Promise<FrameServer> {
  const versions = options.versions ?? API_DEFINITIONS.filter((a) => a !== undefined).map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion }))
  const requests: RequestFrame[] = []
  const sockets: net.Socket[] = []
  const onSocket = (socket: net.Socket) => {
    sockets.push(socket)
    const splitter = new FrameSplitter()
    socket.on('error', () => {})
    socket.on('data', (chunk) => {
      for (const frame of splitter.push(chunk)) {
        const request = decodeRequestFrame(Buffer.from(frame))
        requests.push(request)
        const body = request.supported ? request.api!.decodeRequest(request.body, request.apiVersion) : undefined
        const encode = <Res>(api: ApiDefinition<unknown, Res>, response: Input<Res>) => encodeResponseFrame(api, request.apiVersion, request.correlationId, response)
        const reply: Reply = { body, socket, encode, send: (api, response) => socket.write(encode(api, response)) }
        if (request.apiKey === ApiVersionsApi.apiKey && options.answerApiVersions !== false) {
          reply.send(ApiVersionsApi, { apiKeys: versions })
          continue
        }
        void handler(request, reply)
      }
    })
  }
  const server = options.tls ? tls.createServer(options.tls, onSocket) : net.createServer(onSocket)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    address: `127.0.0.1:${port}`,
    requests,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Connection options pointing at a test server, with short timeouts. */
export function connectionOptions(server: FrameServer, overrides: Record<string, unknown> = {}) {
  return {
    host: '127.0.0.1',
    port: server.port,
    clientId: 'test',
    requestTimeoutMs: 5_000,
    socketConnectionSetupTimeoutMs: 5_000,
    ...overrides,
  }
}
