import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stripComments } from './strip-comments.ts'

/** A field as written in a message definition file (only the keys the generator reads). */
export interface RawField {
  name: string
  type: string
  versions: string
  nullableVersions?: string
  taggedVersions?: string
  tag?: number
  default?: string | number | boolean
  ignorable?: boolean
  flexibleVersions?: string
  fields?: RawField[]
}

export interface RawStruct {
  name: string
  versions: string
  fields: RawField[]
}

/** One message definition file: a request, a response, a header or a data structure. */
export interface RawMessage {
  name: string
  type: 'request' | 'response' | 'header' | 'data' | 'metadata'
  apiKey?: number
  listeners?: string[]
  validVersions: string
  flexibleVersions: string
  fields: RawField[]
  commonStructs?: RawStruct[]
}

/** Parses the text of one definition file. */
export function parseDefinition(text: string, file: string): RawMessage {
  let parsed: unknown
  try {
    parsed = JSON.parse(stripComments(text))
  } catch (err) {
    throw new Error(`${file}: not valid JSON once comments are removed (${(err as Error).message})`)
  }
  const message = parsed as RawMessage
  if (typeof message !== 'object' || message === null || typeof message.name !== 'string' || !Array.isArray(message.fields)) {
    throw new Error(`${file}: expected an object with "name" and "fields"`)
  }
  return message
}

/** Reads every `*.json` definition in `messagesDir`, keyed by message name, in file-name order. */
export function loadDefinitions(messagesDir: string): Map<string, RawMessage> {
  const files = readdirSync(messagesDir).filter((f) => f.endsWith('.json')).sort()
  if (files.length === 0) throw new Error(`No message definitions (*.json) in ${messagesDir}`)
  const out = new Map<string, RawMessage>()
  for (const file of files) {
    const message = parseDefinition(readFileSync(join(messagesDir, file), 'utf8'), file)
    out.set(message.name, message)
  }
  return out
}

/** Parses `errors.tsv` (columns code, name, retriable, with a header line). */
export interface RawError {
  code: number
  name: string
  retriable: boolean
}

export function parseErrorTable(text: string): RawError[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '')
  const header = lines.shift()?.split('\t').map((h) => h.trim())
  if (!header || header[0] !== 'code' || header[1] !== 'name' || header[2] !== 'retriable') {
    throw new Error('errors.tsv: expected a header line "code<TAB>name<TAB>retriable"')
  }
  return lines.map((line, i) => {
    const [code, name, retriable] = line.split('\t').map((c) => c.trim())
    if (!/^-?\d+$/.test(code ?? '') || !/^[A-Z0-9_]+$/.test(name ?? '') || (retriable !== 'true' && retriable !== 'false')) {
      throw new Error(`errors.tsv line ${i + 2}: cannot read "${line}"`)
    }
    return { code: Number(code), name: name!, retriable: retriable === 'true' }
  })
}
