import type { RawField, RawMessage, RawStruct } from './definitions.ts'
import { intersect, isEmpty, parseVersions, type VersionRange } from './versions.ts'

export type PrimitiveName = 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64' | 'uuid' | 'string' | 'bytes' | 'records'

const PRIMITIVES = new Set<string>(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'uuid', 'string', 'bytes', 'records'])

export type FieldType =
  | { kind: 'primitive'; name: PrimitiveName }
  | { kind: 'array'; element: FieldType }
  | { kind: 'struct'; struct: StructModel }

/** The value a field takes when it is absent from the wire or omitted on input. */
export type DefaultValue =
  | { kind: 'null' }
  | { kind: 'number'; value: number }
  | { kind: 'bigint'; value: bigint }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'zeroUuid' }
  | { kind: 'emptyBytes' }
  | { kind: 'emptyArray' }
  | { kind: 'struct'; struct: StructModel }

export interface FieldModel {
  /** The name in the definition (`ThrottleTimeMs`). */
  jsonName: string
  /** The property name in TypeScript (`throttleTimeMs`). */
  name: string
  type: FieldType
  /** Versions in which the field is on the wire, within the versions its struct can have. */
  versions: VersionRange
  /** Versions in which the field may be null (a subset of `versions`). */
  nullable: VersionRange
  /** Versions in which the field is a tagged field (a subset of `versions`). */
  tagged: VersionRange
  tag: number | undefined
  /** Versions in which strings, bytes and arrays use the compact (varint length) forms. */
  compact: VersionRange
  ignorable: boolean
  defaultValue: DefaultValue
  /** The default exactly as the definition writes it, if it gives one. */
  defaultRaw: string | undefined
}

export interface StructModel {
  /** The name in the definition (`MetadataResponseTopic`). */
  name: string
  /** The exported TypeScript name, unique across the package (`MetadataResponseTopic`). */
  tsName: string
  /** The versions in which this struct can be encoded. */
  versions: VersionRange
  /** Versions of the enclosing message that carry a tagged-field section. */
  flexible: VersionRange
  fields: FieldModel[]
}

export interface MessageModel {
  name: string
  type: RawMessage['type']
  apiKey: number | undefined
  valid: VersionRange
  /** Flexible versions within the valid ones. */
  flexible: VersionRange
  /** Flexible versions as declared (open-ended), which also decide the header of versions newer than we know. */
  declaredFlexible: VersionRange
  root: StructModel
  /** Every struct of the message, the root first, then in order of first use. */
  structs: StructModel[]
}

/** `ThrottleTimeMs` → `throttleTimeMs` (only the first letter changes, as in Kafka's own generator). */
export function camelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1)
}

/** Struct names get the message name as a prefix unless they already start with it, so exports never clash. */
export function structTsName(messageName: string, structName: string): string {
  return structName.startsWith(messageName) ? structName : messageName + structName
}

/** Builds the typed model of one message definition. */
export function buildMessage(raw: RawMessage): MessageModel {
  const valid = parseVersions(raw.validVersions)
  const flexible = intersect(parseVersions(raw.flexibleVersions), valid)
  if (isEmpty(valid)) throw new Error(`${raw.name}: validVersions "${raw.validVersions}" is empty`)
  const common = new Map<string, RawStruct>()
  for (const s of raw.commonStructs ?? []) common.set(s.name, s)
  const structs: StructModel[] = []
  const byName = new Map<string, StructModel>()

  const buildStruct = (name: string, fields: RawField[], versions: VersionRange): StructModel => {
    if (byName.has(name)) throw new Error(`${raw.name}: struct ${name} is defined twice`)
    const struct: StructModel = { name, tsName: structTsName(raw.name, name), versions, flexible: intersect(flexible, versions), fields: [] }
    byName.set(name, struct)
    structs.push(struct)
    const tags = new Set<number>()
    const names = new Set<string>()
    for (const f of fields) {
      const field = buildField(f, struct)
      if (names.has(field.name)) throw new Error(`${raw.name}: ${name} has two fields named ${field.name}`)
      names.add(field.name)
      if (field.tag !== undefined) {
        if (tags.has(field.tag)) throw new Error(`${raw.name}: ${name} uses tag ${field.tag} twice`)
        tags.add(field.tag)
      }
      struct.fields.push(field)
    }
    return struct
  }

  const resolveStruct = (typeName: string, f: RawField, parent: StructModel): StructModel => {
    const fieldVersions = intersect(parent.versions, parseVersions(f.versions))
    if (f.fields) return buildStruct(typeName, f.fields, fieldVersions)
    const existing = byName.get(typeName)
    if (existing) return existing
    const shared = common.get(typeName)
    if (!shared) throw new Error(`${raw.name}: field ${f.name} has type ${f.type} but no struct ${typeName} is defined`)
    return buildStruct(typeName, shared.fields, intersect(valid, parseVersions(shared.versions)))
  }

  const resolveType = (typeText: string, f: RawField, parent: StructModel): FieldType => {
    if (typeText.startsWith('[]')) {
      const element = resolveType(typeText.slice(2), f, parent)
      if (element.kind === 'array') throw new Error(`${raw.name}: nested arrays are not supported (${f.name})`)
      if (element.kind === 'primitive' && element.name === 'records') throw new Error(`${raw.name}: arrays of records are not supported (${f.name})`)
      return { kind: 'array', element }
    }
    if (PRIMITIVES.has(typeText)) {
      if (f.fields) throw new Error(`${raw.name}: primitive field ${f.name} cannot have fields`)
      return { kind: 'primitive', name: typeText as PrimitiveName }
    }
    if (!/^[A-Z]\w*$/.test(typeText)) throw new Error(`${raw.name}: unknown type "${typeText}" of field ${f.name}`)
    return { kind: 'struct', struct: resolveStruct(typeText, f, parent) }
  }

  const buildField = (f: RawField, parent: StructModel): FieldModel => {
    const versions = intersect(parent.versions, parseVersions(f.versions))
    const type = resolveType(f.type, f, parent)
    const nullable = intersect(versions, parseVersions(f.nullableVersions))
    const tagged = intersect(versions, parseVersions(f.taggedVersions))
    if (!isEmpty(parseVersions(f.nullableVersions)) && !canBeNull(type)) {
      throw new Error(`${raw.name}: field ${f.name} of type ${f.type} cannot be nullable`)
    }
    if ((f.tag === undefined) !== (f.taggedVersions === undefined)) {
      throw new Error(`${raw.name}: field ${f.name} must set both "tag" and "taggedVersions" or neither`)
    }
    if (!isEmpty(tagged) && (tagged.lo < flexible.lo || tagged.hi > flexible.hi)) {
      throw new Error(`${raw.name}: tagged field ${f.name} is tagged in versions that are not flexible`)
    }
    if (type.kind === 'primitive' && type.name === 'records' && !isEmpty(tagged)) {
      throw new Error(`${raw.name}: records field ${f.name} cannot be tagged`)
    }
    const compact = f.flexibleVersions === undefined ? flexible : intersect(flexible, parseVersions(f.flexibleVersions))
    const field: FieldModel = {
      jsonName: f.name,
      name: camelCase(f.name),
      type,
      versions,
      nullable,
      tagged,
      tag: f.tag,
      compact,
      ignorable: f.ignorable === true,
      defaultValue: parseDefault(f, type, raw.name),
      defaultRaw: f.default === undefined ? undefined : String(f.default),
    }
    if (field.defaultValue.kind === 'null' && (nullable.lo !== versions.lo || nullable.hi !== versions.hi) && !isEmpty(versions)) {
      throw new Error(`${raw.name}: field ${f.name} defaults to null but is not nullable in every version it has`)
    }
    return field
  }

  const root = buildStruct(raw.name, raw.fields, valid)
  return { name: raw.name, type: raw.type, apiKey: raw.apiKey, valid, flexible, declaredFlexible: parseVersions(raw.flexibleVersions), root, structs }
}

function canBeNull(type: FieldType): boolean {
  if (type.kind !== 'primitive') return true
  return type.name === 'string' || type.name === 'bytes' || type.name === 'records'
}

const INT_LIMITS: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
}

/** Integer literals as Java's `Long.decode` reads them: optional sign, then `0x`/`#` hex, a leading `0` for octal, or decimal. */
export function parseIntegerLiteral(text: string): bigint {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|#[0-9a-fA-F]+|0[0-7]+|\d+)$/.exec(text.trim())
  if (!match) throw new Error(`"${text}" is not an integer`)
  const body = match[2]!
  const magnitude = body.startsWith('#') ? BigInt(`0x${body.slice(1)}`) : /^0[0-7]+$/.test(body) ? BigInt(`0o${body.slice(1)}`) : BigInt(body)
  return match[1] === '-' ? -magnitude : magnitude
}

function parseDefault(f: RawField, type: FieldType, messageName: string): DefaultValue {
  const raw = f.default
  const where = `${messageName}: default ${JSON.stringify(raw)} of field ${f.name}`
  if (raw === 'null') {
    if (!canBeNull(type)) throw new Error(`${where}: only strings, bytes, records, arrays and structs can default to null`)
    return { kind: 'null' }
  }
  if (type.kind === 'array') {
    if (raw !== undefined && raw !== '') throw new Error(`${where}: arrays can only default to empty or null`)
    return { kind: 'emptyArray' }
  }
  if (type.kind === 'struct') {
    if (raw !== undefined && raw !== '') throw new Error(`${where}: structs can only default to null`)
    return { kind: 'struct', struct: type.struct }
  }
  switch (type.name) {
    case 'bool':
      if (raw === undefined || raw === false || raw === 'false') return { kind: 'bool', value: false }
      if (raw === true || raw === 'true') return { kind: 'bool', value: true }
      throw new Error(`${where}: not a boolean`)
    case 'int64': {
      const value = raw === undefined ? 0n : parseIntegerLiteral(String(raw))
      if (value < -(2n ** 63n) || value >= 2n ** 63n) throw new Error(`${where}: out of range for int64`)
      return { kind: 'bigint', value }
    }
    case 'float64': {
      const value = raw === undefined ? 0 : Number(raw)
      if (Number.isNaN(value) && String(raw).trim() !== 'NaN') throw new Error(`${where}: not a number`)
      return { kind: 'number', value }
    }
    case 'uuid':
      if (raw !== undefined && raw !== '') throw new Error(`${where}: uuid fields default to the zero uuid`)
      return { kind: 'zeroUuid' }
    case 'string':
      return { kind: 'string', value: raw === undefined ? '' : String(raw) }
    case 'bytes':
      if (raw !== undefined && raw !== '') throw new Error(`${where}: bytes can only default to empty or null`)
      return { kind: 'emptyBytes' }
    case 'records':
      return { kind: 'null' }
    default: {
      const value = raw === undefined ? 0n : parseIntegerLiteral(String(raw))
      const [min, max] = INT_LIMITS[type.name]!
      if (value < BigInt(min) || value > BigInt(max)) throw new Error(`${where}: out of range for ${type.name}`)
      return { kind: 'number', value: Number(value) }
    }
  }
}
