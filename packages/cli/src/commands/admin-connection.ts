import { readFileSync } from 'node:fs'
import { Admin, Connection, parseBrokerAddress, silentLogger, type ClientOptions, type SaslOptions, type TlsOptions } from '@tributary/client'
import { errorTableEntry } from '@tributary/protocol'
import { Option, type Command } from 'commander'

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
}

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

/**
 * Opens one connection to the broker with `@tributary/client` (TLS and SASL as asked), runs `fn`,
 * and closes it.
 */
export async function withAdminConnection<T>(o: AdminConnectionOptions, fn: (conn: Connection) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  let address
  try {
    address = parseBrokerAddress(o.bootstrapServer)
  } catch (err) {
    throw new Error(`--bootstrap-server: ${(err as Error).message}`)
  }
  const sasl = saslOf(o, env)
  const conn = await Connection.open({
    host: address.host,
    port: address.port,
    clientId: 'tributary-cli',
    requestTimeoutMs: 30_000,
    socketConnectionSetupTimeoutMs: 10_000,
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
  for (const entry of o.bootstrapServer.split(',')) {
    try {
      parseBrokerAddress(entry.trim())
    } catch (err) {
      throw new Error(`--bootstrap-server: ${(err as Error).message}`)
    }
  }
  const sasl = saslOf(o, env)
  return {
    bootstrapServers: o.bootstrapServer,
    clientId: 'tributary-cli',
    ssl: tlsOf(o),
    logger: silentLogger,
    defaultApiTimeoutMs: 30_000,
    ...(sasl ? { sasl } : {}),
  }
}

/** Runs `fn` with an {@link Admin} client for these connection flags, closing it afterwards. */
export async function withAdmin<T>(o: AdminConnectionOptions, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin(clientOptionsOf(o))
  try {
    return await fn(admin)
  } finally {
    await admin.close()
  }
}
