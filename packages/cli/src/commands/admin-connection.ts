import { readFileSync } from 'node:fs'
import {
  Admin,
  Connection,
  ConnectionError,
  RequestTimeoutError,
  backoffDelay,
  formatBrokerAddress,
  parseBrokerAddress,
  silentLogger,
  sleep,
  type BrokerAddress,
  type ClientOptions,
  type SaslOptions,
  type TlsOptions,
} from '@tributary/client'
import { errorTableEntry } from '@tributary/protocol'
import { Option, type Command } from 'commander'
import { integerAtLeast } from './arguments.js'

/** How the commands that talk to a running broker reach it. */
export interface AdminConnectionOptions {
  bootstrapServer: string
  tls?: boolean
  caFile?: string
  certFile?: string
  keyFile?: string
  saslMechanism?: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'
  saslUsername?: string
  saslPassword?: string
  /** How long to keep trying to reach a broker before the command fails (`--connect-timeout-ms`). */
  connectTimeoutMs?: number
}

/**
 * The default of `--connect-timeout-ms`: a command facing no broker fails within about this long,
 * instead of retrying for the client's `defaultApiTimeoutMs` as a long-running application would.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000

/** The environment variable read for the SASL password when `--sasl-password` is not given. */
export const SASL_PASSWORD_ENV = 'TRIBUTARY_SASL_PASSWORD'

/** Adds the options every command that talks to a broker shares: the broker address, TLS and SASL. */
export function withConnectionOptions(command: Command): Command {
  return command
    .addOption(new Option('-b, --bootstrap-server <host:port>', 'broker to talk to').default('localhost:9092'))
    .option('--tls', 'connect with TLS (implied by the TLS file options)')
    .option('--ca-file <file>', 'CA certificates (PEM) the broker certificate must chain to')
    .option('--cert-file <file>', 'client certificate (PEM), for brokers that require one')
    .option('--key-file <file>', 'private key (PEM) of --cert-file')
    .addOption(new Option('--sasl-mechanism <mechanism>', 'authenticate with SASL').choices(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']))
    .option('--sasl-username <name>', 'SASL user name')
    .option('--sasl-password <password>', `SASL password (default: the ${SASL_PASSWORD_ENV} environment variable)`)
    .addOption(
      new Option('--connect-timeout-ms <ms>', 'how long to keep trying to reach a broker before giving up')
        .default(DEFAULT_CONNECT_TIMEOUT_MS)
        .argParser(integerAtLeast(1)),
    )
}

function tlsOf(o: AdminConnectionOptions): TlsOptions | boolean {
  if (!o.tls && !o.caFile && !o.certFile && !o.keyFile) return false
  if ((o.certFile === undefined) !== (o.keyFile === undefined)) throw new Error('--cert-file and --key-file go together.')
  const read = (file: string, option: string) => {
    try {
      return readFileSync(file)
    } catch (err) {
      throw new Error(`${option} ${file} cannot be read: ${(err as Error).message}`)
    }
  }
  const tls: TlsOptions = {}
  if (o.caFile) tls.ca = read(o.caFile, '--ca-file')
  if (o.certFile) tls.cert = read(o.certFile, '--cert-file')
  if (o.keyFile) tls.key = read(o.keyFile, '--key-file')
  return tls
}

function saslOf(o: AdminConnectionOptions, env: NodeJS.ProcessEnv): SaslOptions | undefined {
  if (!o.saslMechanism) {
    if (o.saslUsername !== undefined) throw new Error('--sasl-username needs --sasl-mechanism.')
    return undefined
  }
  const password = o.saslPassword ?? env[SASL_PASSWORD_ENV]
  if (!o.saslUsername || password === undefined) throw new Error(`--sasl-mechanism needs --sasl-username and --sasl-password (or ${SASL_PASSWORD_ENV}).`)
  return { mechanism: o.saslMechanism.toLowerCase() as SaslOptions['mechanism'], username: o.saslUsername, password }
}

/** The `--bootstrap-server` list, each entry checked. */
function bootstrapAddresses(o: AdminConnectionOptions): BrokerAddress[] {
  return o.bootstrapServer.split(',').map((entry) => {
    try {
      return parseBrokerAddress(entry.trim())
    } catch (err) {
      throw new Error(`--bootstrap-server: ${(err as Error).message}`)
    }
  })
}

/** Why a connection could not be opened, briefly: `connect ECONNREFUSED`, `getaddrinfo ENOTFOUND`, a TLS error, … */
function connectFailure(err: ConnectionError | RequestTimeoutError, timeoutMs: number): string {
  if (err instanceof RequestTimeoutError) return `no answer to ApiVersions within ${timeoutMs} ms`
  for (let e: unknown = err.cause; e instanceof Error; e = e.cause) {
    const { code, syscall } = e as NodeJS.ErrnoException
    if (typeof code === 'string' && typeof syscall === 'string') return `${syscall} ${code}`
    if (!(e instanceof ConnectionError)) return e.message
  }
  return err.message.replace(` (broker ${err.broker})`, '').replace('(socketConnectionSetupTimeoutMs)', '(--connect-timeout-ms)')
}

/**
 * `could not connect to 127.0.0.1:1: connect ECONNREFUSED; is a broker running there? (--bootstrap-server, --connect-timeout-ms)`,
 * or for several servers `could not connect to any of a:1 (connect ECONNREFUSED), b:2 (getaddrinfo ENOTFOUND); …`.
 */
function unreachableMessage(failures: ReadonlyMap<string, string>): string {
  const hint = '(--bootstrap-server, --connect-timeout-ms)'
  if (failures.size === 1) {
    const [[address, reason]] = [...failures]
    return `could not connect to ${address}: ${reason}; is a broker running there? ${hint}`
  }
  const each = [...failures].map(([address, reason]) => `${address} (${reason})`).join(', ')
  return `could not connect to any of ${each}; is a broker running at one of them? ${hint}`
}

/**
 * Makes sure a broker answers before a command starts, so that a command facing none fails within
 * about `--connect-timeout-ms` with one line saying so, instead of after the client's retries
 * (`defaultApiTimeoutMs`) or request timeout (`requestTimeoutMs`, which also bounds the ApiVersions
 * exchange that opens a connection). Tries the bootstrap servers in turn, each time opening a
 * connection (TCP, TLS, ApiVersions, SASL) within what is left of the timeout (at least a second) and
 * closing it again, and tries again after a short backoff while none answers, so a broker that is just
 * starting is found. Returns the first server that answered. Only failures to connect or to get an
 * answer are retried: an error from a broker that answered (failed authentication, say) is thrown as is.
 */
async function reachBroker(o: AdminConnectionOptions, env: NodeJS.ProcessEnv): Promise<BrokerAddress> {
  const addresses = bootstrapAddresses(o)
  const sasl = saslOf(o, env)
  const ssl = tlsOf(o)
  const timeoutMs = o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  const started = Date.now()
  const failures = new Map<string, string>()
  for (let round = 0; ; round++) {
    for (const address of addresses) {
      const budget = Math.max(Math.min(timeoutMs, 1_000), started + timeoutMs - Date.now())
      try {
        const conn = await Connection.open({
          host: address.host,
          port: address.port,
          clientId: 'tributary-cli',
          requestTimeoutMs: budget,
          socketConnectionSetupTimeoutMs: budget,
          ssl,
          ...(sasl ? { sasl } : {}),
        })
        conn.close()
        return address
      } catch (err) {
        if (!(err instanceof ConnectionError || err instanceof RequestTimeoutError)) throw err
        failures.set(formatBrokerAddress(address), connectFailure(err, budget))
      }
    }
    const delay = backoffDelay(round, { initialMs: 100, maxMs: 1_000 })
    if (Date.now() + delay - started >= timeoutMs) throw new Error(unreachableMessage(failures))
    await sleep(delay)
  }
}

/**
 * Opens one connection with `@tributary/client` (TLS and SASL as asked) to the first server of
 * `--bootstrap-server` that answers within `--connect-timeout-ms`, runs `fn`, and closes it.
 */
export async function withAdminConnection<T>(o: AdminConnectionOptions, fn: (conn: Connection) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const address = await reachBroker(o, env)
  const sasl = saslOf(o, env)
  const conn = await Connection.open({
    host: address.host,
    port: address.port,
    clientId: 'tributary-cli',
    requestTimeoutMs: 30_000,
    socketConnectionSetupTimeoutMs: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ssl: tlsOf(o),
    ...(sasl ? { sasl } : {}),
  })
  try {
    return await fn(conn)
  } finally {
    conn.close()
  }
}

/** `NAME: message` for a Kafka error code in a response, for the command's error line. */
export function describeErrorCode(errorCode: number, message: string | null | undefined): string {
  const name = errorTableEntry(errorCode)?.name ?? `error ${errorCode}`
  return message ? `${name}: ${message}` : name
}

/** The `@tributary/client` options (shared by Admin, Producer and Consumer) for these connection flags. */
export function clientOptionsOf(o: AdminConnectionOptions, env: NodeJS.ProcessEnv = process.env): ClientOptions {
  bootstrapAddresses(o)
  const sasl = saslOf(o, env)
  return {
    bootstrapServers: o.bootstrapServer,
    clientId: 'tributary-cli',
    ssl: tlsOf(o),
    logger: silentLogger,
    defaultApiTimeoutMs: 30_000,
    socketConnectionSetupTimeoutMs: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ...(sasl ? { sasl } : {}),
  }
}

/**
 * Runs `fn` with an {@link Admin} client for these connection flags, closing it afterwards. A broker
 * must answer first (see `reachBroker`), so that a command facing none fails within seconds; once one
 * has, calls retry failures as usual (within `defaultApiTimeoutMs`).
 */
export async function withAdmin<T>(o: AdminConnectionOptions, fn: (admin: Admin) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const options = clientOptionsOf(o, env)
  await reachBroker(o, env)
  const admin = new Admin(options)
  try {
    return await fn(admin)
  } finally {
    await admin.close()
  }
}
