import type { z } from 'zod'
import { OptionsError } from '../errors/client-errors.js'

/** Option keys whose values are secrets: shown as `"***"` in messages. */
const SECRET_KEYS = new Set(['password', 'key', 'passphrase', 'pfx'])

/**
 * Validates `input` against an options schema once, at construction, and returns the options with their
 * defaults. On failure throws {@link OptionsError} whose message lists every problem on its own line,
 * naming the option, the value given and what is allowed. Secrets (passwords, private keys) are never shown.
 *
 * @example
 * ```ts
 * parseOptions(clientOptionsSchema, { bootstrapServers: 'localhost:9092', requestTimeoutMs: -1 }, 'Admin')
 * // OptionsError: Invalid Admin options:
 * //   - requestTimeoutMs is -1: expected a number >= 1
 * ```
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, owner: string): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  throw new OptionsError(formatOptionIssues(result.error.issues, input, owner, schema), result.error)
}

/**
 * One readable message for a list of zod issues about `input`; with the schema, misspelt names get a
 * suggestion. {@link parseOptions} uses it; it is exported for schemas parsed elsewhere.
 *
 * @example
 * ```ts
 * const result = schema.safeParse(input)
 * if (!result.success) throw new OptionsError(formatOptionIssues(result.error.issues, input, 'Consumer', schema))
 * ```
 */
export function formatOptionIssues(issues: readonly z.core.$ZodIssue[], input: unknown, owner: string, schema?: z.ZodType): string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return `Invalid ${owner} options: expected an object of options, got ${describeValue(input, false)}`
  }
  const lines = issues.map((issue) => `  - ${formatIssue(issue, input, schema)}`)
  return `Invalid ${owner} options:\n${lines.join('\n')}`
}

function formatIssue(issue: z.core.$ZodIssue, input: unknown, schema: z.ZodType | undefined): string {
  const path = issue.path.map(String)
  if (issue.code === 'unrecognized_keys') {
    const where = path.length > 0 ? ` in ${path.join('.')}` : ''
    const known = schema ? keysAt(schema, issue.path) : []
    return issue.keys
      .map((k) => {
        const near = closest(k, known)
        return `unknown option "${k}"${where}${near ? ` (did you mean "${near}"?)` : ''}`
      })
      .join('\n  - ')
  }
  const name = path.length > 0 ? path.join('.') : 'options'
  const present = hasPath(input, issue.path)
  const value = present ? describeValue(valueAt(input, issue.path), path.some((p) => SECRET_KEYS.has(p))) : undefined
  const subject = value === undefined ? `${name} is missing` : `${name} is ${value}`
  return `${subject}: ${expectation(issue)}`
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`}`
    case 'too_small':
      if (issue.origin === 'array') return `expected at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`
      if (issue.origin === 'string') return `expected at least ${issue.minimum} character${issue.minimum === 1 ? '' : 's'}`
      return `expected a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`
    case 'too_big':
      if (issue.origin === 'array') return `expected at most ${issue.maximum} items`
      if (issue.origin === 'string') return `expected at most ${issue.maximum} characters`
      return `expected a number ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(typeof v === 'bigint' ? v.toString() : v)).join(', ')}`
    default:
      return issue.message
  }
}

/** The option names an object schema at `path` accepts, looking through optional/default wrappers. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let at: unknown = schema
  const unwrap = (s: unknown): unknown => {
    for (let i = 0; i < 5 && s && typeof (s as { unwrap?: unknown }).unwrap === 'function'; i++) s = (s as { unwrap(): unknown }).unwrap()
    return s
  }
  for (const key of path) {
    const shape = (unwrap(at) as { shape?: Record<PropertyKey, unknown> } | undefined)?.shape
    if (!shape) return []
    at = shape[key]
  }
  const shape = (unwrap(at) as { shape?: Record<string, unknown> } | undefined)?.shape
  return shape ? Object.keys(shape) : []
}

/** The known name nearest to `name` by edit distance, if it is close enough to be a typo. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

function hasPath(input: unknown, path: readonly PropertyKey[]): boolean {
  let at: unknown = input
  for (const key of path) {
    if (at === null || typeof at !== 'object' || !(key in at) || (at as Record<PropertyKey, unknown>)[key] === undefined) return false
    at = (at as Record<PropertyKey, unknown>)[key]
  }
  return true
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = input
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined
    at = (at as Record<PropertyKey, unknown>)[key]
  }
  return at
}

/** A short rendering of a value for a message; secrets and secret-named keys inside objects are masked. */
export function describeValue(value: unknown, secret: boolean): string {
  if (secret) return '"***"'
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value)
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'function') return 'a function'
  if (Buffer.isBuffer(value)) return `a Buffer of ${value.length} bytes`
  if (typeof value !== 'object' || value === null) return String(value)
  let text: string
  try {
    text = JSON.stringify(value, (k, v: unknown) => (SECRET_KEYS.has(k) ? '***' : typeof v === 'bigint' ? `${v}n` : v)) ?? String(value)
  } catch {
    text = Object.prototype.toString.call(value)
  }
  return text.length > 100 ? `${text.slice(0, 97)}...` : text
}
