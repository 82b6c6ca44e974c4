import type { FieldSchema } from '../../src/generated/schema.js'

/**
 * Builds test values from the generated schema description, independently of the codecs: defaults are
 * parsed here from the definitions' text, and every field present in a version gets a non-default value.
 */

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

/** A small deterministic generator (mulberry32), so failures reproduce. */
export function makeRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function inRange(range: readonly [number, number] | null | undefined, v: number): boolean {
  return range != null && v >= range[0] && v <= range[1]
}

function parseInteger(text: string): bigint {
  const t = text.trim()
  const negative = t.startsWith('-')
  const body = negative ? t.slice(1) : t
  const value = BigInt(body)
  return negative ? -value : value
}

/** The value a decoder returns for a field absent from the wire. */
export function defaultOf(field: FieldSchema): unknown {
  const raw = field.default
  if (raw === 'null') return null
  const type = field.type
  if (type.startsWith('[]')) return []
  if (type === 'struct') return defaultsOf(field.fields!)
  switch (type) {
    case 'bool':
      return raw === 'true'
    case 'int64':
      return raw === undefined ? 0n : parseInteger(raw)
    case 'float64':
      return raw === undefined ? 0 : Number(raw)
    case 'uuid':
      return ZERO_UUID
    case 'string':
      return raw ?? ''
    case 'bytes':
      return Buffer.alloc(0)
    case 'records':
      return null
    default:
      return raw === undefined ? 0 : Number(parseInteger(raw))
  }
}

/** Every field at its default: what decoding an encoded `{}` must give. */
export function defaultsOf(fields: readonly FieldSchema[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of fields) out[f.name] = defaultOf(f)
  return out
}

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
}

const TEXT = 'abcdefghijklmnopqrstuvwxyz-_.0123456789éß字🙂'

function primitiveValue(type: string, rnd: () => number, notEqual: unknown): unknown {
  for (;;) {
    const value = randomPrimitive(type, rnd)
    const same = Buffer.isBuffer(value) && Buffer.isBuffer(notEqual) ? value.equals(notEqual) : value === notEqual
    if (!same) return value
  }
}

function randomPrimitive(type: string, rnd: () => number): unknown {
  const range = INT_RANGES[type]
  if (range) return range[0] + Math.floor(rnd() * (range[1] - range[0] + 1))
  switch (type) {
    case 'bool':
      return rnd() < 0.5
    case 'int64':
      return BigInt.asIntN(64, (BigInt(Math.floor(rnd() * 2 ** 32)) << 32n) | BigInt(Math.floor(rnd() * 2 ** 32)))
    case 'float64':
      return (rnd() - 0.5) * 1e9
    case 'uuid': {
      const hex = Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16)).join('')
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    }
    case 'string':
      return Array.from({ length: 1 + Math.floor(rnd() * 10) }, () => [...TEXT][Math.floor(rnd() * [...TEXT].length)]).join('')
    case 'bytes':
    case 'records':
      return Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => Math.floor(rnd() * 256)))
    default:
      throw new Error(`Unknown type ${type}`)
  }
}

export interface BuildOptions {
  /** Use null for every field that may be null in the version. */
  nulls: boolean
}

/**
 * A complete value for version `v`: fields present in `v` get random non-default values (or null, when
 * asked and allowed), absent fields their defaults. Decoding its encoding must give it back exactly.
 */
export function buildValue(fields: readonly FieldSchema[], v: number, rnd: () => number, options: BuildOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    if (!inRange(f.versions, v)) {
      out[f.name] = defaultOf(f)
    } else if (options.nulls && inRange(f.nullable, v)) {
      out[f.name] = null
    } else if (f.type === 'struct') {
      out[f.name] = buildValue(f.fields!, v, rnd, options)
    } else if (f.type === '[]struct') {
      out[f.name] = [buildValue(f.fields!, v, rnd, options), buildValue(f.fields!, v, rnd, options)]
    } else if (f.type.startsWith('[]')) {
      const element = f.type.slice(2)
      out[f.name] = [randomPrimitive(element, rnd), randomPrimitive(element, rnd), randomPrimitive(element, rnd)]
    } else {
      out[f.name] = primitiveValue(f.type, rnd, defaultOf(f))
    }
  }
  return out
}

/** Adds unknown tagged fields (with tags above any the definitions use) to every struct of a flexible version. */
export function withUnknownTaggedFields(value: Record<string, unknown>, fields: readonly FieldSchema[], v: number, tag = 90): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value, _unknownTaggedFields: [{ tag, data: Buffer.from([tag, 1, 2]) }, { tag: tag + 1000, data: Buffer.alloc(0) }] }
  for (const f of fields) {
    if (!inRange(f.versions, v) || out[f.name] == null) continue
    if (f.type === 'struct') out[f.name] = withUnknownTaggedFields(out[f.name] as Record<string, unknown>, f.fields!, v, tag + 1)
    if (f.type === '[]struct') {
      out[f.name] = (out[f.name] as Record<string, unknown>[]).map((e) => withUnknownTaggedFields(e, f.fields!, v, tag + 1))
    }
  }
  return out
}
