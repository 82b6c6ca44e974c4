import { expressionChain, indent, quote, segments, statementChain, versionCondition } from './code.ts'
import type { FieldModel, FieldType, StructModel } from './model.ts'
import { canHoldNull, defaultExpr, fieldIsNullable, fixedMethod, isVariableScalar, tsType, usesCompact, variableMethod } from './types.ts'
import { contains, intersect, isEmpty } from './versions.ts'

/**
 * `function readX(r, v) { … }`: one object literal whose properties are read in wire order (fields absent
 * from the version, or tagged, take their defaults), then the tagged-field section. Array fields get a helper
 * each, and known tagged fields a `readXTag` function, so nothing allocates closures while decoding.
 */
export function emitReader(s: StructModel): string[] {
  const props = s.fields.map((f) => `${f.name}: ${fieldReadExpr(s, f)},`)
  const out: string[] = []
  if (isEmpty(s.flexible)) {
    out.push(`function read${s.tsName}(r: Reader, v: number): ${s.tsName} {`, '  return {', ...indent(props, 2), '  }', '}')
  } else {
    const known = s.fields.some((f) => !isEmpty(f.tagged))
    const section = statementChain(
      s.versions,
      segments(s.versions, (v) => contains(s.flexible, v)).map(({ range, key }) => ({
        range,
        lines: key
          ? [known ? `const u = r.taggedFieldsInto(m, v, read${s.tsName}Tag)` : 'const u = r.taggedFields()', 'if (u !== undefined) m._unknownTaggedFields = u']
          : null,
      })),
    )
    out.push(`function read${s.tsName}(r: Reader, v: number): ${s.tsName} {`, `  const m: ${s.tsName} = {`, ...indent(props, 2), '  }', ...indent(section), '  return m', '}')
  }
  for (const f of s.fields) if (f.type.kind === 'array' && !isEmpty(f.versions)) out.push('', ...arrayReader(s, f, f.type.element))
  if (s.fields.some((f) => !isEmpty(f.tagged))) out.push('', ...tagReader(s))
  return out
}

function fieldReadExpr(s: StructModel, f: FieldModel): string {
  // Array helpers decide compactness and nullability themselves; other types only care where it matters.
  type Key = 'default' | { compact: boolean; nullable: boolean }
  const isArray = f.type.kind === 'array'
  const segs = segments<Key>(s.versions, (v) =>
    !contains(f.versions, v) || contains(f.tagged, v)
      ? 'default'
      : {
          compact: !isArray && usesCompact(f.type) && contains(f.compact, v),
          nullable: !isArray && canHoldNull(f.type) && contains(f.nullable, v),
        },
  )
  const exprs = segs.map(({ range, key }) => ({
    range,
    expr: key === 'default' ? defaultExpr(f.defaultValue) : readValue(s, f, key.compact, key.nullable, false),
  }))
  if (exprs.length === 1) return exprs[0]!.expr
  return expressionChain(
    s.versions,
    exprs.map((e) => ({ range: e.range, expr: e.expr.includes(' ? ') ? `(${e.expr})` : e.expr })),
  )
}

function readValue(s: StructModel, f: FieldModel, compact: boolean, nullable: boolean, tagged: boolean): string {
  const type = f.type
  const fixed = fixedMethod(type)
  if (fixed) return `r.${fixed}()`
  if (isVariableScalar(type)) return `r.${variableMethod(type, compact, nullable)}()`
  if (type.kind === 'struct') {
    const call = `read${type.struct.tsName}(r, v)`
    if (!nullable) return call
    return tagged ? `r.uint8() === 0 ? null : ${call}` : `r.int8() < 0 ? null : ${call}`
  }
  return `read${s.tsName}_${f.name}(r, v)`
}

/** A helper reading one array field: its length (compact or not), null handling, then each element. */
function arrayReader(s: StructModel, f: FieldModel, element: FieldType): string[] {
  const present = f.versions
  const lengthExpr = expressionChain(
    present,
    segments(present, (v) => contains(f.compact, v)).map(({ range, key }) => ({ range, expr: key ? 'r.compactArrayLength()' : 'r.arrayLength()' })),
  )
  const nullLines = statementChain(
    present,
    segments(present, (v) => contains(f.nullable, v)).map(({ range, key }) => ({
      range,
      lines: key ? ['return null'] : [`throw nullDecoded(${quote(s.tsName)}, ${quote(f.name)}, v)`],
    })),
  )
  const elementType = tsType(element)
  const resultType = fieldIsNullable(f) ? `${elementType}[] | null` : `${elementType}[]`
  return [
    `function read${s.tsName}_${f.name}(r: Reader, v: number): ${resultType} {`,
    `  const n = ${lengthExpr}`,
    '  if (n < 0) {',
    ...indent(nullLines, 2),
    '  }',
    `  const a: ${elementType}[] = []`,
    `  for (let i = 0; i < n; i++) a.push(${readElement(element, f)})`,
    '  return a',
    '}',
  ]
}

function readElement(element: FieldType, f: FieldModel): string {
  if (element.kind === 'struct') return `read${element.struct.tsName}(r, v)`
  const fixed = fixedMethod(element)
  if (fixed) return `r.${fixed}()`
  if (isVariableScalar(element)) {
    return expressionChain(
      f.versions,
      segments(f.versions, (v) => contains(f.compact, v)).map(({ range, key }) => ({ range, expr: `r.${variableMethod(element, key, false)}()` })),
    )
  }
  throw new Error('Unsupported array element type')
}

/** `readXTag(r, m, tag, v)`: decodes one known tagged field into `m`, or returns false to keep it as unknown. */
function tagReader(s: StructModel): string[] {
  const tagged = s.fields.filter((f) => !isEmpty(f.tagged)).sort((a, b) => a.tag! - b.tag!)
  const cases: string[] = []
  for (const f of tagged) {
    const cond = versionCondition(f.tagged, s.flexible)
    const present = intersect(f.tagged, s.flexible)
    const segs = segments(present, (v) => contains(f.nullable, v))
    const expr = expressionChain(
      present,
      segs.map(({ range, key }) => {
        const e = readValue(s, f, true, key, true)
        return { range, expr: segs.length > 1 && e.includes(' ? ') ? `(${e})` : e }
      }),
    )
    cases.push(`case ${f.tag}:`)
    if (cond !== true) cases.push(`  if (!(${cond})) return false`)
    cases.push(`  m.${f.name} = ${expr}`, '  return true')
  }
  return [
    `function read${s.tsName}Tag(r: Reader, m: ${s.tsName}, tag: number, v: number): boolean {`,
    '  switch (tag) {',
    ...indent(cases, 2),
    '  }',
    '  return false',
    '}',
  ]
}
