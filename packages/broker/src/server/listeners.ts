import { createServer as createTcpServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type TLSSocket } from 'node:tls'
import type { BrokerLogger } from '../logger.js'
import type { ResolvedTls } from '../security/tls-config.js'
import type { ListenerEndpoint } from '../security/session.js'
import type { ListenerConfig, SecurityProtocol } from './listener-config.js'

/** A listener as a running broker reports it. */
export interface ListenerInfo {
  /** The listener name (`PLAINTEXT`, `SASL_SSL`, ...). */
  readonly name: string
  readonly securityProtocol: SecurityProtocol
  /** The bind address. */
  readonly host: string
  /** The port actually bound (the real one when configured with port 0). */
  readonly port: number
}

/** A bound listener: its server, and the endpoint its clients are told about. */
export interface BoundListener extends ListenerInfo {
  readonly server: Server
  readonly endpoint: ListenerEndpoint
}

/**
 * Binds every listener: plain TCP for PLAINTEXT and SASL_PLAINTEXT, TLS for SSL and SASL_SSL.
 * `onSocket` receives each client socket once it is ready (after the TLS handshake). On SSL
 * listeners client certificates are requested per `ssl.client.auth`: `required` refuses clients
 * without a valid one during the handshake; `requested` accepts clients without one but closes
 * connections that present a certificate which does not verify.
 *
 * @throws the listen error (EADDRINUSE, EACCES, ...) of the first listener that cannot bind; the
 * ones already bound are closed again.
 */
export async function openListeners(configs: readonly ListenerConfig[], tls: ResolvedTls | undefined, onSocket: (socket: Socket, listener: BoundListener) => void, logger: BrokerLogger): Promise<BoundListener[]> {
  const bound: BoundListener[] = []
  try {
    for (const config of configs) {
      let listener: BoundListener | undefined
      const server = createServerFor(config, tls, (socket) => onSocket(socket, listener!), logger)
      trackSockets(server)
      await listen(server, config.port, config.host)
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : config.port
      const endpoint: ListenerEndpoint = { name: config.name, securityProtocol: config.securityProtocol, advertisedHost: config.advertisedHost, advertisedPort: config.advertisedPort || port }
      listener = { name: config.name, securityProtocol: config.securityProtocol, host: config.host, port, server, endpoint }
      server.on('error', (err) => logger.error(`listener ${config.name} failed`, err))
      bound.push(listener)
    }
  } catch (err) {
    await closeListeners(bound)
    throw err
  }
  return bound
}

/** Stops accepting connections on every listener; resolves once their servers are closed (every socket they accepted has closed). */
export function closeListeners(listeners: readonly BoundListener[]): Promise<void> {
  return Promise.all(listeners.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve())))).then(() => undefined)
}

/** The TCP sockets each server holds open (on TLS listeners, those under the TLS sockets and those still in their handshake). */
const openSockets = new WeakMap<Server, Set<Socket>>()

function trackSockets(server: Server): void {
  const sockets = new Set<Socket>()
  openSockets.set(server, sockets)
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
}

/**
 * Destroys the sockets still open on the listeners. Meant for shutdown once every served connection
 * has closed: what is left never became a connection, a client that has not finished its TLS
 * handshake, which {@link closeListeners} would otherwise wait for (up to the 120 s handshake timeout).
 */
export function cutUnservedSockets(listeners: readonly BoundListener[]): void {
  for (const l of listeners) for (const socket of openSockets.get(l.server) ?? []) socket.destroy()
}

function createServerFor(config: ListenerConfig, tls: ResolvedTls | undefined, accept: (socket: Socket) => void, logger: BrokerLogger): Server {
  if (config.securityProtocol === 'PLAINTEXT' || config.securityProtocol === 'SASL_PLAINTEXT') {
    return createTcpServer({ noDelay: true }, accept)
  }
  // Client certificates name the principal on SSL listeners only; SASL_SSL authenticates with SASL.
  const clientAuth = config.securityProtocol === 'SSL' ? tls!.clientAuth : 'none'
  const server = createTlsServer({ ...tls!.context, minVersion: 'TLSv1.2', requestCert: clientAuth !== 'none', rejectUnauthorized: clientAuth === 'required' }, (socket: TLSSocket) => {
    if (clientAuth === 'requested' && !socket.authorized && socket.getPeerX509Certificate()) {
      logger.warn(`listener ${config.name}: refused a client certificate from ${socket.remoteAddress}:${socket.remotePort} (${socket.authorizationError?.message ?? String(socket.authorizationError)})`)
      socket.destroy()
      return
    }
    accept(socket)
  })
  server.on('tlsClientError', (err, socket) => logger.info(`listener ${config.name}: TLS handshake with ${socket.remoteAddress}:${socket.remotePort} failed: ${err.message}`))
  return server
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
