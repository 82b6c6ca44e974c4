import { randomBytes } from 'node:crypto'
import { SCRAM_MAX_ITERATIONS, SCRAM_MECHANISMS, SCRAM_MIN_ITERATIONS, saltPassword, type ScramMechanismName } from '@tributary/broker'
import type { Connection } from '@tributary/client'
import { AlterUserScramCredentialsApi, DescribeUserScramCredentialsApi, ErrorCode } from '@tributary/protocol'
import { Command, InvalidArgumentError, Option } from 'commander'
import type { CliContext } from '../context.js'
import { describeErrorCode, withAdminConnection, withConnectionOptions, type AdminConnectionOptions } from './admin-connection.js'

const MECHANISMS = Object.keys(SCRAM_MECHANISMS) as ScramMechanismName[]
const SALT_BYTES = 32

interface UsersAddOptions extends AdminConnectionOptions {
  password?: string
  passwordEnv?: string
  mechanism?: ScramMechanismName[]
  iterations: number
}

interface UsersDeleteOptions extends AdminConnectionOptions {
  mechanism?: ScramMechanismName[]
}

/** Parses one `--mechanism` and adds it to those given before (the option is repeatable). */
function collectMechanism(value: string, previous: ScramMechanismName[] | undefined): ScramMechanismName[] {
  const mechanism = MECHANISMS.find((m) => m === value.trim().toUpperCase())
  if (!mechanism) throw new InvalidArgumentError(`Expected ${MECHANISMS.join(' or ')}.`)
  return [...(previous ?? []), mechanism]
}

function parseIterations(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN
  if (!(n >= SCRAM_MIN_ITERATIONS && n <= SCRAM_MAX_ITERATIONS)) throw new InvalidArgumentError(`Expected an integer from ${SCRAM_MIN_ITERATIONS} to ${SCRAM_MAX_ITERATIONS}.`)
  return n
}

const mechanismOption = () => new Option('--mechanism <mechanism>', `${MECHANISMS.join(' or ')} (repeatable; default: both)`).argParser(collectMechanism)

/**
 * `tributary users`: SCRAM users of a running broker, through AlterUserScramCredentials and
 * DescribeUserScramCredentials. `add` salts the password here (PBKDF2, a random salt) and sends
 * only the salted password; the broker keeps salt, iterations, StoredKey and ServerKey.
 *
 * @example
 * ```sh
 * tributary users add alice --password-env ALICE_PASSWORD --mechanism SCRAM-SHA-512 --iterations 8192
 * tributary users list
 * tributary users delete alice
 * ```
 */
export function usersCommand(context: CliContext): Command {
  const users = new Command('users').description('manage the SCRAM users of a running broker')
  users.addCommand(
    withConnectionOptions(new Command('add'))
      .description('create a user, or change its password (SCRAM-SHA-256 and SCRAM-SHA-512 unless --mechanism says)')
      .argument('<name>', 'user name')
      .option('--password <password>', 'the password (visible to other local users in the process list; prefer --password-env)')
      .option('--password-env <variable>', 'read the password from this environment variable')
      .addOption(mechanismOption())
      .addOption(new Option('--iterations <count>', `PBKDF2 iterations, ${SCRAM_MIN_ITERATIONS} to ${SCRAM_MAX_ITERATIONS}`).argParser(parseIterations).default(4096))
      .action((name: string, options: UsersAddOptions) => addUser(name, options, context)),
  )
  users.addCommand(
    withConnectionOptions(new Command('list'))
      .description('list users with their SCRAM mechanisms and iterations (never salts or keys)')
      .argument('[names...]', 'only these users')
      .action((names: string[], options: AdminConnectionOptions) => listUsers(names, options, context)),
  )
  users.addCommand(
    withConnectionOptions(new Command('delete'))
      .description("delete a user's SCRAM credentials (all of them unless --mechanism says)")
      .argument('<name>', 'user name')
      .addOption(mechanismOption())
      .action((name: string, options: UsersDeleteOptions) => deleteUser(name, options, context)),
  )
  return users
}

function passwordOf(options: UsersAddOptions): string {
  if (options.password !== undefined && options.passwordEnv !== undefined) throw new Error('Give --password or --password-env, not both.')
  const password = options.passwordEnv !== undefined ? process.env[options.passwordEnv] : options.password
  if (options.passwordEnv !== undefined && password === undefined) throw new Error(`The environment variable ${options.passwordEnv} (--password-env) is not set.`)
  if (password === undefined) throw new Error('Give the password with --password-env <variable> or --password <password>.')
  if (password === '') throw new Error('The password is empty.')
  return password
}

async function addUser(name: string, options: UsersAddOptions, context: CliContext): Promise<void> {
  const password = passwordOf(options)
  const mechanisms = [...new Set(options.mechanism ?? MECHANISMS)]
  const upsertions = mechanisms.map((mechanism) => {
    const salt = randomBytes(SALT_BYTES)
    return { name, mechanism: SCRAM_MECHANISMS[mechanism].code, iterations: options.iterations, salt, saltedPassword: saltPassword(mechanism, password, salt, options.iterations) }
  })
  await withAdminConnection(options, async (conn) => {
    const res = await conn.request(AlterUserScramCredentialsApi, { deletions: [], upsertions })
    const result = res.results[0]
    if (!result || result.errorCode !== ErrorCode.NONE) throw new Error(`adding user ${name} failed: ${describeErrorCode(result?.errorCode ?? -1, result?.errorMessage)}`)
  })
  context.stdout.write(`user ${name}: ${mechanisms.join(' and ')} credentials set (${options.iterations} iterations)\n`)
}

async function describeUsers(conn: Connection, names: readonly string[]) {
  const res = await conn.request(DescribeUserScramCredentialsApi, { users: names.length === 0 ? null : names.map((name) => ({ name })) })
  if (res.errorCode !== ErrorCode.NONE) throw new Error(`listing users failed: ${describeErrorCode(res.errorCode, res.errorMessage)}`)
  return res.results
}

async function listUsers(names: string[], options: AdminConnectionOptions, context: CliContext): Promise<void> {
  const results = await withAdminConnection(options, (conn) => describeUsers(conn, names))
  const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE)
  for (const r of results.filter((x) => x.errorCode === ErrorCode.NONE)) {
    const creds = r.credentialInfos.map((c) => `${MECHANISMS.find((m) => SCRAM_MECHANISMS[m].code === c.mechanism) ?? `mechanism ${c.mechanism}`} (${c.iterations} iterations)`)
    context.stdout.write(`${r.user}\t${creds.join(', ')}\n`)
  }
  if (results.length === 0) context.stderr.write('no SCRAM users\n')
  if (failed.length > 0) throw new Error(failed.map((r) => `user ${r.user}: ${describeErrorCode(r.errorCode, r.errorMessage)}`).join('; '))
}

async function deleteUser(name: string, options: UsersDeleteOptions, context: CliContext): Promise<void> {
  const deleted = await withAdminConnection(options, async (conn) => {
    let mechanisms = options.mechanism
    if (!mechanisms) {
      const [described] = await describeUsers(conn, [name])
      if (!described || described.errorCode !== ErrorCode.NONE) throw new Error(`deleting user ${name} failed: ${describeErrorCode(described?.errorCode ?? -1, described?.errorMessage)}`)
      mechanisms = MECHANISMS.filter((m) => described.credentialInfos.some((c) => c.mechanism === SCRAM_MECHANISMS[m].code))
    }
    const res = await conn.request(AlterUserScramCredentialsApi, { deletions: [...new Set(mechanisms)].map((m) => ({ name, mechanism: SCRAM_MECHANISMS[m].code })), upsertions: [] })
    const result = res.results[0]
    if (!result || result.errorCode !== ErrorCode.NONE) throw new Error(`deleting user ${name} failed: ${describeErrorCode(result?.errorCode ?? -1, result?.errorMessage)}`)
    return mechanisms
  })
  context.stdout.write(`user ${name}: ${deleted.join(' and ')} credentials deleted\n`)
}
