import { z } from 'zod'
import { parseBrokerAddress } from '../cluster/address.js'
import { createConsoleLogger, type Logger } from './logger.js'

const pem = z.union([z.string(), z.instanceof(Buffer), z.array(z.union([z.string(), z.instanceof(Buffer)]))], {
  error: 'expected a PEM string, a Buffer, or an array of them',
})

/**
 * TLS settings, passed through to node's `tls.connect` (so any other `tls.ConnectionOptions` key works
 * too). `servername` defaults to the broker's host name.
 */
export const tlsOptionsSchema = z.looseObject({
  ca: pem.optional(),
  cert: pem.optional(),
  key: pem.optional(),
  passphrase: z.string().optional(),
  rejectUnauthorized: z.boolean().optional(),
  servername: z.string().optional(),
})

/** SASL credentials. The password never appears in error messages or logs. */
export const saslOptionsSchema = z.strictObject({
  mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
  username: z.string().min(1),
  password: z.string(),
})

const bootstrapServers = z
  .union([z.string(), z.array(z.string())], { error: 'expected "host:port" or an array of "host:port" strings' })
  .transform((value, ctx) => {
    const list = (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter((s) => s.length > 0)
    if (list.length === 0) ctx.addIssue({ code: 'custom', message: 'expected at least one "host:port" address' })
    for (const entry of list) {
      try {
        parseBrokerAddress(entry)
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message })
      }
    }
    return list
  })

const ms = (fallback: number) => z.int().min(0).default(fallback)
const positiveMs = (fallback: number) => z.int().min(1).default(fallback)

const isLogger = (v: unknown): v is Logger =>
  typeof v === 'object' &&
  v !== null &&
  ['debug', 'info', 'warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function')

/**
 * The options every Tributary client accepts, with Kafka's names in camelCase and Kafka's defaults.
 * Producer and consumer schemas extend this one (`clientOptionsSchema.extend({ ... })`). Unknown
 * options are rejected, so a misspelt name fails at construction instead of being ignored.
 *
 * @example
 * ```ts
 * const producerOptionsSchema = clientOptionsSchema.extend({ acks: z.enum(['0', '1', 'all']).default('all') })
 * const options = parseOptions(producerOptionsSchema, input, 'Producer')
 * ```
 */
export const clientOptionsSchema = z.strictObject({
  /** Brokers to bootstrap from: `'host:port'`, a comma-separated list, or an array. Any one is enough. */
  bootstrapServers,
  clientId: z.string().min(1).default('tributary'),
  /** How long a request may wait for its response before it fails (Kafka `request.timeout.ms`). */
  requestTimeoutMs: positiveMs(30_000),
  /** How long opening a socket (TCP connect and TLS handshake) may take; the ApiVersions and SASL requests that follow are bounded by `requestTimeoutMs`, as in the Java client. */
  socketConnectionSetupTimeoutMs: positiveMs(10_000),
  /** Idle connections are closed after this long. */
  connectionsMaxIdleMs: positiveMs(540_000),
  /** Cached metadata is refreshed after this long even without an error. */
  metadataMaxAgeMs: ms(300_000),
  /** How many times a retriable failure is retried (bounded too by `defaultApiTimeoutMs`). */
  retries: z.int().min(0).default(2_147_483_647),
  retryBackoffMs: ms(100),
  retryBackoffMaxMs: ms(1_000),
  reconnectBackoffMs: ms(50),
  reconnectBackoffMaxMs: ms(1_000),
  /** The overall time an API call (with its retries) may take (Kafka `default.api.timeout.ms`). */
  defaultApiTimeoutMs: positiveMs(60_000),
  /** `true` for TLS with node's defaults, or TLS options. */
  ssl: z.union([z.boolean(), tlsOptionsSchema], { error: 'expected true, false or an object of TLS options (ca, cert, key, rejectUnauthorized, servername, …)' }).default(false),
  sasl: saslOptionsSchema.optional(),
  logger: z.custom<Logger>(isLogger, { error: 'expected a logger: an object with debug, info, warn and error methods' }).default(() => createConsoleLogger('warn')),
})

/** Client options as a user writes them (every option but `bootstrapServers` optional). */
export type ClientOptions = z.input<typeof clientOptionsSchema>
/** Client options after validation, with every default filled in. */
export type ResolvedClientOptions = z.output<typeof clientOptionsSchema>
export type TlsOptions = z.output<typeof tlsOptionsSchema>
export type SaslOptions = z.output<typeof saslOptionsSchema>
export type SaslMechanismName = SaslOptions['mechanism']
