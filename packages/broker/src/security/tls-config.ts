import { readFileSync } from 'node:fs'
import { createSecureContext, type SecureContextOptions } from 'node:tls'
import { KafkaError } from '@tributary/protocol'

/**
 * TLS for SSL and SASL_SSL listeners, from PEM files (Kafka's `ssl.keystore.type=PEM` form).
 *
 * @example
 * ```ts
 * tls: { certFile: 'broker.crt', keyFile: 'broker.key', caFile: 'ca.crt', requireClientCert: true }
 * ```
 */
export interface BrokerTlsOptions {
  /** The broker's certificate chain (PEM). May be the same file as `keyFile`. */
  certFile: string
  /** The broker's private key (PEM). */
  keyFile: string
  /** The passphrase of an encrypted private key. */
  keyPassphrase?: string
  /** CA certificates (PEM) that client certificates must chain to; needed to verify client certificates. */
  caFile?: string
  /** Kafka's `ssl.client.auth=required`: refuse TLS clients without a certificate signed by `caFile`. */
  requireClientCert?: boolean
}

/** How client certificates are treated (Kafka's `ssl.client.auth`). */
export type ClientAuth = 'none' | 'requested' | 'required'

/** TLS settings after loading and checking the files. */
export interface ResolvedTls {
  /** For `tls.createServer`. */
  context: SecureContextOptions
  clientAuth: ClientAuth
  certFile: string
  keyFile: string
  caFile: string | undefined
}

function invalid(message: string, cause?: unknown): KafkaError {
  return new KafkaError(message, { code: 'INVALID_CONFIG', cause })
}

function readPem(file: string, what: string): Buffer {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (err) {
    throw invalid(`Invalid broker option tls.${what}: ${(err as Error).message}`, err)
  }
  if (!bytes.toString('latin1').includes('-----BEGIN ')) throw invalid(`Invalid broker option tls.${what}: ${file} holds no PEM block (-----BEGIN ...); convert a JKS or PKCS#12 keystore with openssl or keytool`)
  return bytes
}

/**
 * Reads the PEM files and checks that key and certificate load and match, so a bad file stops the
 * start-up with a message naming it rather than failing every TLS handshake later.
 *
 * @throws KafkaError `INVALID_CONFIG` naming the option, the file and the problem.
 */
export function loadTls(options: BrokerTlsOptions, clientAuth: ClientAuth): ResolvedTls {
  if (typeof options !== 'object' || options === null) throw invalid('Invalid broker option tls: expected { certFile, keyFile, caFile?, keyPassphrase?, requireClientCert? }')
  for (const key of ['certFile', 'keyFile'] as const) {
    if (typeof options[key] !== 'string' || options[key] === '') throw invalid(`Invalid broker option tls.${key}: ${JSON.stringify(options[key])}; expected the path of a PEM file`)
  }
  if (options.caFile !== undefined && (typeof options.caFile !== 'string' || options.caFile === '')) throw invalid(`Invalid broker option tls.caFile: ${JSON.stringify(options.caFile)}; expected the path of a PEM file`)
  if (clientAuth !== 'none' && options.caFile === undefined) {
    throw invalid(`Invalid broker option tls: client certificates are ${clientAuth} but no tls.caFile (ssl.truststore.location) says which CAs to trust`)
  }
  const context: SecureContextOptions = { cert: readPem(options.certFile, 'certFile'), key: readPem(options.keyFile, 'keyFile') }
  if (options.keyPassphrase !== undefined) context.passphrase = options.keyPassphrase
  if (options.caFile !== undefined) context.ca = readPem(options.caFile, 'caFile')
  try {
    createSecureContext(context)
  } catch (err) {
    throw invalid(`Invalid broker option tls: the certificate ${options.certFile} and key ${options.keyFile} cannot be used (${(err as Error).message})`, err)
  }
  return { context, clientAuth, certFile: options.certFile, keyFile: options.keyFile, caFile: options.caFile }
}
