import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import { ApiVersionsApi, SaslAuthenticateApi, SaslHandshakeApi } from '@tributary/protocol'
import type { ConnectionInfo } from '../handlers/handler.js'
import type { BrokerLogger } from '../logger.js'
import type { ConnectionGate } from '../server/connection-gate.js'
import type { BrokerSecurity } from './broker-security.js'
import { saslStep } from './sasl/exchange.js'
import { ANONYMOUS, SESSION_KEY, ipOf, sessionOf, type ListenerEndpoint, type SecuritySession } from './session.js'
import { certificatePrincipal } from './tls-principal.js'

/**
 * The security of one listener, applied to each of its connections:
 * - every connection gets a {@link SecuritySession}: the listener, the client's IP, and the
 *   principal (`User:ANONYMOUS`, or on SSL listeners `User:<subject DN>` of a verified client
 *   certificate);
 * - on SASL listeners, until authentication completes only ApiVersions and SaslHandshake are
 *   served, then only SaslAuthenticate; any other request closes the connection with a log line,
 *   as Kafka's broker does. After SaslHandshake v0 the connection reads unframed SASL tokens.
 * - a failed authentication closes the connection once its answer is written.
 */
export class ListenerGate implements ConnectionGate {
  constructor(
    private readonly listener: ListenerEndpoint,
    private readonly security: BrokerSecurity,
    private readonly logger: BrokerLogger,
  ) {}

  open(info: ConnectionInfo, socket: Socket): void {
    const protocol = this.listener.securityProtocol
    const session: SecuritySession = {
      listener: this.listener,
      host: ipOf(socket.remoteAddress),
      principal: ANONYMOUS,
      sasl: protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL' ? 'handshake' : 'none',
    }
    if (protocol === 'SSL' && socket instanceof TLSSocket) {
      const principal = certificatePrincipal(socket)
      if (principal) {
        session.principal = principal
        this.logger.info(`connection ${info.id} from ${info.remoteAddress} on listener ${this.listener.name}: client certificate accepted as ${principal}`)
      }
    }
    info.state.set(SESSION_KEY, session)
  }

  refuse(apiKey: number, apiName: string, info: ConnectionInfo): string | undefined {
    const session = sessionOf(info)!
    switch (session.sasl) {
      case 'none':
      case 'authenticated':
        return undefined
      case 'handshake':
        if (apiKey === ApiVersionsApi.apiKey || apiKey === SaslHandshakeApi.apiKey) return undefined
        return `${apiName} request before SASL authentication on listener ${this.listener.name}; only ApiVersions and SaslHandshake are served until a SASL handshake`
      case 'authenticate':
        if (apiKey === SaslAuthenticateApi.apiKey) return undefined
        return `${apiName} request during SASL authentication on listener ${this.listener.name}; only SaslAuthenticate is served until it completes`
      case 'unframed':
        return `${apiName} request where an unframed SASL token was expected (after SaslHandshake v0) on listener ${this.listener.name}`
      case 'failed':
        return session.closeReason ?? 'SASL authentication failed'
    }
  }

  unframedToken(info: ConnectionInfo): ((token: Buffer) => Buffer) | undefined {
    const session = sessionOf(info)!
    if (session.sasl !== 'unframed') return undefined
    return (token) => {
      const result = saslStep(session, token, { logger: this.logger, connection: `connection ${info.id} from ${info.remoteAddress}` })
      // SaslHandshake v0 has no way to carry an error: the connection just closes, as Kafka's does.
      if (result.failure) throw new Error(session.closeReason ?? 'SASL authentication failed')
      return result.reply
    }
  }

  closeAfterResponse(info: ConnectionInfo): string | undefined {
    return sessionOf(info)!.closeReason
  }
}
