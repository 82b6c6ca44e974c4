import { KafkaError } from '@tributary/protocol'

/**
 * The connection to a broker failed or was closed: the socket could not be opened, the peer hung up, the
 * stream held an undecodable frame, or the client closed it. Requests in flight on that connection are
 * rejected with this error. It is retriable: a new connection (after the reconnect backoff) may succeed.
 *
 * @example
 * ```ts
 * try { await conn.request(MetadataApi, { topics: null }) } catch (err) {
 *   if (err instanceof ConnectionError) console.log(`lost ${err.broker}: ${err.message}`)
 * }
 * ```
 */
export class ConnectionError extends KafkaError {
  /** The broker's address, `host:port`. */
  readonly broker: string

  constructor(broker: string, message: string, options: { cause?: unknown; code?: string } = {}) {
    super(`${message} (broker ${broker})`, { code: options.code ?? 'CONNECTION_ERROR', retriable: true, cause: options.cause })
    this.broker = broker
  }
}

/**
 * A request got no response within `requestTimeoutMs`. Only that request fails; the connection is then
 * treated as suspect and replaced for new requests. Retriable, but note that the broker may still have
 * processed the request.
 *
 * @example
 * ```ts
 * if (err instanceof RequestTimeoutError) log.warn('slow broker; retrying on a new connection')
 * ```
 */
export class RequestTimeoutError extends KafkaError {
  constructor(broker: string, api: string, timeoutMs: number) {
    super(`${api} request to broker ${broker} got no response within ${timeoutMs} ms (requestTimeoutMs)`, {
      code: 'REQUEST_TIMED_OUT',
      retriable: true,
    })
  }
}

/**
 * The broker and this client share no version of an API, or the broker does not offer the API at all.
 * Not retriable: the same broker will answer the same way.
 *
 * @example
 * ```ts
 * if (conn.versions.supports(DescribeClusterApi)) await conn.request(DescribeClusterApi, {})
 * else await conn.request(MetadataApi, { topics: [] }) // avoids an UnsupportedVersionError on old brokers
 * ```
 */
export class UnsupportedVersionError extends KafkaError {
  constructor(message: string) {
    super(message, { code: 'UNSUPPORTED_VERSION' })
  }
}

/** SASL authentication failed. The message names the mechanism and user, never the password. */
export class SaslAuthenticationError extends KafkaError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'SASL_AUTHENTICATION_FAILED', cause: options.cause })
  }
}

/** Options given to a client constructor are invalid. The message names each option, its value and what is allowed. */
export class OptionsError extends KafkaError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'INVALID_OPTIONS', cause })
  }
}

/** The client was closed; no further requests can be made with it. Not retriable. */
export class ClientClosedError extends KafkaError {
  constructor(what: string) {
    super(`${what} is closed`, { code: 'CLIENT_CLOSED' })
  }
}

/** The operation was cancelled through its AbortSignal. */
export class AbortError extends KafkaError {
  constructor(cause?: unknown) {
    super('The operation was aborted', { code: 'ABORTED', cause })
  }
}
