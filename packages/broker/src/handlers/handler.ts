import type { ApiDefinition, Input } from '@tributary/protocol'
import type { BrokerContext } from '../server/broker-context.js'

/** What a handler knows about the connection a request came in on. */
export interface ConnectionInfo {
  /** Unique within this broker process, counting from 1. */
  readonly id: number
  /** `address:port` of the client. */
  readonly remoteAddress: string
  /** The client software ApiVersions v3+ announced, once it has. */
  clientSoftware?: { name: string; version: string }
  /**
   * Per-connection state for handlers that need it (an authenticated principal, a negotiated
   * mechanism), keyed by the owning module. Dropped when the connection closes.
   */
  readonly state: Map<string, unknown>
}

/** Everything a handler may use besides the request itself. */
export interface RequestContext {
  readonly broker: BrokerContext
  readonly connection: ConnectionInfo
  readonly apiVersion: number
  readonly correlationId: number
  readonly clientId: string | null
  /** Aborted when the connection closes or the broker shuts down: long waits must end then. */
  readonly signal: AbortSignal
  /**
   * Closes the connection once the responses to earlier requests are written; this request gets no
   * response. Produce with acks=0 uses it to report a failure, as Kafka does.
   */
  closeConnection(reason: string): void
}

/**
 * Serves one API key. Register it in `handlers/index.ts`; ApiVersions then advertises
 * `minVersion`..`maxVersion`, and the connection only calls the handler for versions in that range
 * (others answer UNSUPPORTED_VERSION).
 *
 * @example
 * ```ts
 * export const heartbeatHandler = defineHandler({
 *   api: HeartbeatApi,
 *   minVersion: 0,
 *   maxVersion: HeartbeatApi.maxVersion,
 *   handle: (request, ctx) => ({ errorCode: ctx.broker.groups.heartbeat(request) }),
 *   errorResponse: (_request, errorCode) => ({ errorCode }),
 * })
 * ```
 */
export interface Handler<Req, Res> {
  readonly api: ApiDefinition<Req, Res>
  readonly minVersion: number
  readonly maxVersion: number
  /**
   * Answers a decoded request. Returning null sends no response (Produce with acks=0). May be
   * async; responses still go out in request order. Work that changes state (an append) should
   * happen before the first `await`, so that requests on one connection take effect in order.
   */
  handle(request: Req, ctx: RequestContext): Input<Res> | null | Promise<Input<Res> | null>
  /**
   * The response that reports `errorCode` for the whole request: used when the handler throws
   * (UNKNOWN_SERVER_ERROR), for unsupported versions (UNSUPPORTED_VERSION) and by fault injection.
   * Must not throw for any decodable request. Null: no response (see {@link RequestContext.closeConnection}).
   */
  errorResponse(request: Req, errorCode: number, ctx: RequestContext): Input<Res> | null
}

/** A handler of any API, as the registry holds them. */
// The registry stores handlers of different request types side by side; `any` keeps each handler's
// own types at its definition while letting the list hold them all.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyHandler = Handler<any, any>

/** Identity function that infers a handler's request and response types from its `api`. */
export function defineHandler<Req, Res>(handler: Handler<Req, Res>): Handler<Req, Res> {
  return handler
}
