import { quote } from './code.ts'
import type { DefaultValue, FieldModel, FieldType, PrimitiveName } from './model.ts'
import { isEmpty } from './versions.ts'

/** Primitive types written with a fixed number of bytes, and the Reader/Writer method for each. */
const FIXED: Partial<Record<PrimitiveName, string>> = {
  bool: 'bool',
  int8: 'int8',
  int16: 'int16',
  uint16: 'uint16',
  int32: 'int32',
  uint32: 'uint32',
  int64: 'int64',
  float64: 'float64',
  uuid: 'uuid',
}

export function fixedMethod(type: FieldType): string | undefined {
  return type.kind === 'primitive' ? FIXED[type.name] : undefined
}

/** True for string, bytes and records: length-prefixed values that may be null. */
export function isVariableScalar(type: FieldType): type is { kind: 'primitive'; name: 'string' | 'bytes' | 'records' } {
  return type.kind === 'primitive' && (type.name === 'string' || type.name === 'bytes' || type.name === 'records')
}

/** The Reader/Writer method for a string, bytes or records value: `string`, `compactNullableBytes`, … */
export function variableMethod(type: { name: 'string' | 'bytes' | 'records' }, compact: boolean, nullable: boolean): string {
  const base = type.name === 'string' ? 'String' : 'Bytes'
  const name = `${compact ? 'Compact' : ''}${nullable ? 'Nullable' : ''}${base}`
  return name.charAt(0).toLowerCase() + name.slice(1)
}

/** True when the wire form of the type differs between flexible and non-flexible versions. */
export function usesCompact(type: FieldType): boolean {
  return type.kind === 'array' || isVariableScalar(type)
}

/** True when the type can hold null (strings, bytes, records, arrays, structs). */
export function canHoldNull(type: FieldType): boolean {
  return type.kind !== 'primitive' || isVariableScalar(type)
}

/** The TypeScript type of a value of `type` (without `| null`). */
export function tsType(type: FieldType): string {
  switch (type.kind) {
    case 'struct':
      return type.struct.tsName
    case 'array': {
      const element = tsType(type.element)
      return `${element}[]`
    }
    case 'primitive':
      switch (type.name) {
        case 'bool':
          return 'boolean'
        case 'int64':
          return 'bigint'
        case 'uuid':
        case 'string':
          return 'string'
        case 'bytes':
        case 'records':
          return 'Buffer'
        default:
          return 'number'
      }
  }
}

/** True when the decoded value of the field may be null in some version. */
export function fieldIsNullable(field: FieldModel): boolean {
  return !isEmpty(field.nullable) || field.defaultValue.kind === 'null'
}

export function fieldTsType(field: FieldModel): string {
  return fieldIsNullable(field) ? `${tsType(field.type)} | null` : tsType(field.type)
}

/** An expression for a fresh default value, as decoders return it. */
export function defaultExpr(value: DefaultValue): string {
  switch (value.kind) {
    case 'null':
      return 'null'
    case 'number':
      return Object.is(value.value, -0) ? '0' : String(value.value)
    case 'bigint':
      return `${value.value}n`
    case 'bool':
      return String(value.value)
    case 'string':
      return quote(value.value)
    case 'zeroUuid':
      return 'ZERO_UUID'
    case 'emptyBytes':
      return 'EMPTY_BYTES'
    case 'emptyArray':
      return '[]'
    case 'struct':
      return `default${value.struct.tsName}()`
  }
}

/** An expression that is true when the input value `x` (possibly undefined) differs from the field's default. */
export function nonDefaultExpr(field: FieldModel, x: string): string {
  const d = field.defaultValue
  switch (d.kind) {
    case 'null':
      return `${x} != null`
    case 'emptyBytes':
    case 'emptyArray':
      return `${x} !== undefined && (${x} === null || ${x}.length > 0)`
    case 'struct':
      return `${x} !== undefined && (${x} === null || !isDefault${d.struct.tsName}(${x}))`
    default:
      return `${x} !== undefined && ${x} !== ${defaultExpr(d)}`
  }
}

/** An expression that is true when the input value `x` equals the field's default (undefined counts as default). */
export function isDefaultExpr(field: FieldModel, x: string): string {
  const d = field.defaultValue
  switch (d.kind) {
    case 'null':
      return `${x} == null`
    case 'emptyBytes':
    case 'emptyArray':
      return `(${x} === undefined || (${x} !== null && ${x}.length === 0))`
    case 'struct':
      return `(${x} === undefined || (${x} !== null && isDefault${d.struct.tsName}(${x})))`
    default:
      return `(${x} === undefined || ${x} === ${defaultExpr(d)})`
  }
}

/** The Kafka type name of a field, for doc comments (`int32`, `[]string`, `MetadataResponseTopic`). */
export function kafkaTypeName(type: FieldType): string {
  if (type.kind === 'primitive') return type.name
  if (type.kind === 'struct') return 'struct'
  return `[]${type.element.kind === 'primitive' ? type.element.name : 'struct'}`
}
