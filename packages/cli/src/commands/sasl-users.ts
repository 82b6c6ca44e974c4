import { readFileSync } from 'node:fs'
import { SCRAM_MECHANISMS, type ScramMechanismName } from '@tributary/broker'

const MECHANISMS = Object.keys(SCRAM_MECHANISMS) as ScramMechanismName[]

/** An example of the syntax, for error messages. */
const EXAMPLE = "'SCRAM-SHA-256=[name=admin,password=admin-secret]'"

/** One `--add-scram` entry, parsed. */
export interface AddScramEntry {
  /** The mechanism the entry names. The broker seeds the user for both SCRAM mechanisms anyway. */
  mechanism: ScramMechanismName
  name: string
  password: string
}

/** The entry with the value of any `password=` hidden, for error messages (they end up in logs). */
function redact(entry: string): string {
  return JSON.stringify(entry.replace(/(password\s*=).*?(?=,\s*[\w-]+\s*=|\]\s*$|$)/gi, '$1***'))
}

function fail(entry: string, problem: string): Error {
  return new Error(`--add-scram ${redact(entry)}: ${problem}`)
}

/**
 * Parses one `--add-scram` entry in the syntax of Kafka's `kafka-storage format --add-scram`:
 * `MECHANISM=[name=<user>,password=<password>]`, where the mechanism is SCRAM-SHA-256 or
 * SCRAM-SHA-512, a value may be wrapped in double quotes (dropped, as Kafka drops them) and, as in
 * Kafka, no value may hold a comma. `password-env=<variable>` (a Tributary addition) reads the
 * password from `env` instead, so that it does not show in the process list. Kafka's `iterations`,
 * `salt` and `saltedpassword` are refused: the broker seeds users from a password, with 4096
 * iterations and a random salt.
 *
 * @throws Error naming the entry (its password hidden; a malformed entry is not shown) and the problem.
 *
 * @example
 * ```ts
 * parseAddScram('SCRAM-SHA-256=[name=admin,password=admin-secret]') // { mechanism: 'SCRAM-SHA-256', name: 'admin', password: 'admin-secret' }
 * ```
 */
export function parseAddScram(entry: string, env: NodeJS.ProcessEnv = process.env): AddScramEntry {
  const text = entry.trim()
  const at = text.indexOf('=')
  // Not shown: where the password is in a malformed entry is anyone's guess.
  if (at < 0 || !text.endsWith(']') || text[at + 1] !== '[') throw new Error(`--add-scram: an entry is not MECHANISM=[name=<user>,password=<password>]; for example ${EXAMPLE}`)
  const given = text.slice(0, at).trim()
  const mechanism = MECHANISMS.find((m) => m === given.toUpperCase())
  if (!mechanism) {
    const plain = given.toUpperCase() === 'PLAIN' ? ' (PLAIN users come from --plain-users-file)' : ''
    throw fail(entry, `unknown SCRAM mechanism "${given}"; expected ${MECHANISMS.join(' or ')}${plain}`)
  }
  const fields = new Map<string, string>()
  for (const component of text.slice(at + 2, -1).split(',')) {
    if (component.trim() === '') continue
    const eq = component.indexOf('=')
    if (eq < 0) throw fail(entry, 'expected key=value parts separated by commas (a value cannot hold a comma; give such a password with password-env=<variable>)')
    const key = component.slice(0, eq).trim().toLowerCase()
    let value = component.slice(eq + 1)
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    if (fields.has(key)) throw fail(entry, `${key} is given twice`)
    fields.set(key, value)
  }
  for (const key of fields.keys()) {
    if (key === 'iterations') throw fail(entry, 'iterations cannot be set here: users are seeded with 4096 iterations; change them on the running broker with tributary users add <name> --iterations <count>')
    if (key === 'salt' || key === 'saltedpassword') throw fail(entry, `${key} is not supported: users are seeded from a password (password= or password-env=), with a random salt`)
    if (key !== 'name' && key !== 'password' && key !== 'password-env') throw fail(entry, `unknown key "${key}"; expected name, and password or password-env`)
  }
  const name = fields.get('name')
  if (name === undefined || name === '') throw fail(entry, 'a user name is missing (name=<user>)')
  const variable = fields.get('password-env')
  if (fields.has('password') && variable !== undefined) throw fail(entry, 'give password or password-env, not both')
  let password = fields.get('password')
  if (variable !== undefined) {
    password = env[variable]
    if (password === undefined) throw fail(entry, `the environment variable ${variable} (password-env) is not set`)
  }
  if (password === undefined) throw fail(entry, 'a password is missing (password=<password>, or password-env=<variable>)')
  if (password === '') throw fail(entry, variable !== undefined ? `the environment variable ${variable} (password-env) is empty` : 'the password is empty')
  return { mechanism, name, password }
}

/**
 * The broker's `sasl.scramUsers` for the `--add-scram` entries: each user once, with its password.
 * A user may be named once per mechanism, as Kafka users do, but with one password: the broker
 * seeds both SCRAM mechanisms from it.
 *
 * @throws Error naming the entry and the problem.
 */
export function scramUsersOf(entries: readonly string[], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const users = new Map<string, string>()
  for (const entry of entries) {
    const { name, password } = parseAddScram(entry, env)
    if (users.has(name) && users.get(name) !== password) {
      throw fail(entry, `user ${name} is given two different passwords; a seeded user has one password, for both SCRAM-SHA-256 and SCRAM-SHA-512`)
    }
    users.set(name, password)
  }
  return Object.fromEntries(users)
}

/**
 * Checks the `--plain-users-file` before the broker reads it: a JSON object of user names and
 * passwords. The message names the option and the problem, never a password of the file.
 *
 * @throws Error naming the file and the problem.
 */
export function checkPlainUsersFile(path: string): void {
  let users: unknown
  try {
    users = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    const reason = err instanceof SyntaxError ? 'it is not valid JSON' : (err as Error).message
    throw new Error(`--plain-users-file ${path} cannot be read: ${reason}`)
  }
  const expected = 'expected a JSON object { "<user>": "<password>", ... }'
  if (typeof users !== 'object' || users === null || Array.isArray(users)) throw new Error(`--plain-users-file ${path}: ${expected}`)
  for (const [name, password] of Object.entries(users)) {
    if (name === '') throw new Error(`--plain-users-file ${path}: a user name is empty; ${expected}`)
    if (typeof password !== 'string') throw new Error(`--plain-users-file ${path}: the password of ${JSON.stringify(name)} is not a string; ${expected}`)
  }
}
