import { indent, quote, localName, segments, statementChain, versionCondition } from './code.ts'
import type { FieldModel, FieldType, StructModel } from './model.ts'
import { canHoldNull, defaultExpr, fixedMethod, isVariableScalar, nonDefaultExpr, usesCompact, variableMethod } from './types.ts'
import { contains, intersect, isEmpty, type VersionRange } from './versions.ts'

/** How one field is written in one run of versions. */
interface WriteShape {
  compact: boolean
  nullable: boolean
  tagged: boolean
}

/** `function writeX(w, v, m) { … }`: writes every field of the struct in wire order, then its tagged fields. */
export function emitWriter(s: StructModel): string[] {
  const body: string[] = []
  for (const f of s.fields) body.push(...fieldWriter(s, f))
  body.push(...taggedSectionWriter(s))
  return [`function write${s.tsName}(w: Writer, v: number, m: Input<${s.tsName}>): void {`, ...indent(body), '}']
}

function fieldWriter(s: StructModel, f: FieldModel): string[] {
  type Key = 'absent' | 'tagged' | { compact: boolean; nullable: boolean }
  const segs = segments<Key>(s.versions, (v) => {
    if (!contains(f.versions, v)) return 'absent'
    if (contains(f.tagged, v)) return 'tagged'
    return { compact: usesCompact(f.type) && contains(f.compact, v), nullable: canHoldNull(f.type) && contains(f.nullable, v) }
  })
  return statementChain(
    s.versions,
    segs.map(({ range, key }) => {
      if (key === 'tagged') return { range, lines: null }
      if (key === 'absent') {
        if (f.ignorable) return { range, lines: null }
        return { range, lines: [`if (${nonDefaultExpr(f, `m.${f.name}`)}) throw notInVersion(${quote(s.tsName)}, ${quote(f.name)}, v)`] }
      }
      return { range, lines: writeValue(s, f, { ...key, tagged: false }) }
    }),
  )
}

/** Default written when an input omits a field. */
function inputDefault(f: FieldModel): string {
  const d = f.defaultValue
  return d.kind === 'struct' ? 'NO_FIELDS' : defaultExpr(d)
}

function writeValue(s: StructModel, f: FieldModel, shape: WriteShape): string[] {
  const x = `m.${f.name}`
  const where = `${quote(s.tsName)}, ${quote(f.name)}, v`
  const type = f.type
  const fixed = fixedMethod(type)
  if (fixed) return [`w.${fixed}(${x} ?? ${inputDefault(f)})`]
  if (isVariableScalar(type)) {
    const method = variableMethod(type, shape.compact, shape.nullable)
    if (shape.nullable) {
      return [f.defaultValue.kind === 'null' ? `w.${method}(${x})` : `w.${method}(${x} === undefined ? ${inputDefault(f)} : ${x})`]
    }
    return [`if (${x} === null) throw nullValue(${where})`, `w.${method}(${x} ?? ${inputDefault(f)})`]
  }
  if (type.kind === 'struct') {
    const call = `write${type.struct.tsName}(w, v, ${x}${f.defaultValue.kind === 'null' ? '' : ' ?? NO_FIELDS'})`
    if (!shape.nullable) return [`if (${x} === null) throw nullValue(${where})`, call]
    const [none, some] = shape.tagged ? ['w.uint8(0)', 'w.uint8(1)'] : ['w.int8(-1)', 'w.int8(1)']
    const test = f.defaultValue.kind === 'null' ? `${x} == null` : `${x} === null`
    return [`if (${test}) {`, `  ${none}`, '} else {', `  ${some}`, `  ${call}`, '}']
  }
  if (type.kind === 'array') return writeArray(s, f, type.element, shape)
  throw new Error(`Cannot write field ${f.name}`)
}

function writeArray(s: StructModel, f: FieldModel, element: FieldType, shape: WriteShape): string[] {
  const a = localName(f.name)
  const len = shape.compact ? 'compactArrayLength' : 'arrayLength'
  const lines = [`const ${a} = m.${f.name}`]
  if (shape.nullable && f.defaultValue.kind === 'null') {
    lines.push(`if (${a} == null) {`, `  w.${len}(null)`, '} else {')
  } else if (shape.nullable) {
    lines.push(`if (${a} === null) {`, `  w.${len}(null)`, `} else if (${a} === undefined) {`, `  w.${len}(0)`, '} else {')
  } else {
    lines.push(`if (${a} === null) throw nullValue(${quote(s.tsName)}, ${quote(f.name)}, v)`)
    lines.push(`if (${a} === undefined) {`, `  w.${len}(0)`, '} else {')
  }
  lines.push(`  w.${len}(${a}.length)`, `  for (let i = 0; i < ${a}.length; i++) ${writeElement(element, `${a}[i]`, shape.compact)}`, '}')
  return lines
}

function writeElement(element: FieldType, e: string, compact: boolean): string {
  if (element.kind === 'struct') return `write${element.struct.tsName}(w, v, ${e})`
  const fixed = fixedMethod(element)
  if (fixed) return `w.${fixed}(${e})`
  if (isVariableScalar(element)) return `w.${variableMethod(element, compact, false)}(${e})`
  throw new Error('Unsupported array element type')
}

/**
 * The tagged-field section: in flexible versions the count, then known tagged fields that differ from their
 * defaults merged in tag order with the unknown ones carried over from decoding; in other versions a check
 * that no unknown tagged fields would be lost.
 */
function taggedSectionWriter(s: StructModel): string[] {
  const tagged = s.fields.filter((f) => !isEmpty(f.tagged)).sort((a, b) => a.tag! - b.tag!)
  const segs = segments(s.versions, (v) => contains(s.flexible, v))
  return statementChain(
    s.versions,
    segs.map(({ range, key: flexible }) => ({
      range,
      lines: flexible
        ? flexibleTaggedLines(s, tagged.filter((f) => !isEmpty(intersect(f.tagged, range))), range)
        : [`if (m._unknownTaggedFields !== undefined && m._unknownTaggedFields.length > 0) throw taggedFieldsNotAllowed(${quote(s.tsName)}, v)`],
    })),
  )
}

function flexibleTaggedLines(s: StructModel, tagged: FieldModel[], range: VersionRange): string[] {
  if (tagged.length === 0) return ['w.unknownTaggedFields(m._unknownTaggedFields)']
  const lines = ['const u = m._unknownTaggedFields']
  tagged.forEach((f, k) => {
    const cond = versionCondition(f.tagged, range)
    const nonDefault = nonDefaultExpr(f, `m.${f.name}`)
    lines.push(`const t${k} = ${cond === true ? nonDefault : `${cond} && ${nonDefault}`}`)
  })
  lines.push(`w.uvarint((u === undefined ? 0 : u.length) + ${tagged.map((_, k) => `(t${k} ? 1 : 0)`).join(' + ')})`)
  lines.push('let ui = 0')
  tagged.forEach((f, k) => {
    const present = intersect(f.tagged, range)
    const value = statementChain(
      present,
      segments(present, (v) => contains(f.nullable, v)).map(({ range: r, key: nullable }) => ({
        range: r,
        lines: writeValue(s, f, { compact: true, nullable, tagged: true }),
      })),
    )
    lines.push(`if (t${k}) {`, `  ui = w.rawTaggedFields(u, ui, ${f.tag})`, `  const at = w.beginTaggedField(${f.tag})`, ...indent(value), '  w.endTaggedField(at)', '}')
  })
  lines.push('w.rawTaggedFields(u, ui)')
  return lines
}
