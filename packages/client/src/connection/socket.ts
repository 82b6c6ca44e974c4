import net from 'node:net'
import tls from 'node:tls'
import type { TlsOptions } from '../options/client-options.js'
import { ConnectionError } from '../errors/client-errors.js'

export interface SocketOptions {
  host: string
  port: number
  /** `true` for TLS with node's defaults, TLS options, or false/undefined for plain TCP. */
  ssl?: boolean | TlsOptions
  /** How long the TCP connect and TLS handshake may take together. */
  timeoutMs: number
}

/**
 * Opens a TCP or TLS socket to a broker. Resolves once the socket is connected (after the TLS handshake,
 * with the certificate verified unless `rejectUnauthorized: false`); rejects with a retriable
 * {@link ConnectionError} on failure or timeout.
 */
export function openSocket(options: SocketOptions): Promise<net.Socket> {
  const address = `${options.host}:${options.port}`
  return new Promise((resolve, reject) => {
    const tlsOptions = options.ssl === true ? {} : options.ssl || undefined
    const socket = tlsOptions
      ? tls.connect({
          ...tlsOptions,
          host: options.host,
          port: options.port,
          servername: tlsOptions.servername ?? (net.isIP(options.host) ? undefined : options.host),
        } as tls.ConnectionOptions)
      : net.connect({ host: options.host, port: options.port })
    const readyEvent = tlsOptions ? 'secureConnect' : 'connect'
    const fail = (message: string, cause?: unknown) => {
      cleanup()
      socket.destroy()
      reject(new ConnectionError(address, message, { cause }))
    }
    const onError = (err: Error) => fail(`Could not connect: ${err.message}`, err)
    const onClose = () => fail('The connection closed while it was being opened')
    const onReady = () => {
      cleanup()
      socket.setNoDelay(true)
      socket.setKeepAlive(true)
      resolve(socket)
    }
    const timer = setTimeout(() => fail(`Could not connect within ${options.timeoutMs} ms (socketConnectionSetupTimeoutMs)`), options.timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      socket.off('error', onError)
      socket.off('close', onClose)
      socket.off(readyEvent, onReady)
    }
    socket.once('error', onError)
    socket.once('close', onClose)
    socket.once(readyEvent, onReady)
  })
}
