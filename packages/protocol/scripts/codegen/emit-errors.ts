import { quote } from './code.ts'
import type { RawError } from './definitions.ts'
import { assembleModule } from './emit-module.ts'

/** `src/generated/errors.ts`: the protocol error table as data, and `ErrorCode` (name → code). */
export function emitErrors(errors: RawError[]): string {
  const codes = new Set<number>()
  for (const e of errors) {
    if (codes.has(e.code)) throw new Error(`errors.tsv: code ${e.code} appears twice`)
    codes.add(e.code)
  }
  const body = [
    '/** Protocol error codes by name (`ErrorCode.NOT_LEADER_OR_FOLLOWER === 6`). */',
    'export const ErrorCode = {',
    ...errors.map((e) => `  ${e.name}: ${e.code},`),
    '} as const',
    '',
    'export type ErrorName = keyof typeof ErrorCode',
    '',
    '/** One row of the protocol error table. */',
    'export interface ErrorTableEntry {',
    '  readonly code: number',
    '  readonly name: ErrorName',
    '  /** Whether repeating the request may succeed. */',
    '  readonly retriable: boolean',
    '}',
    '',
    '/** Every protocol error code, in the order of the error table. */',
    'export const ERROR_TABLE: readonly ErrorTableEntry[] = [',
    ...errors.map((e) => `  { code: ${e.code}, name: ${quote(e.name)}, retriable: ${e.retriable} },`),
    ']',
  ]
  return assembleModule(body, '../')
}
