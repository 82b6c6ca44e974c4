import { indent } from './code.ts'
import { emitReader } from './emit-reader.ts'
import { emitWriter } from './emit-writer.ts'
import type { FieldModel, MessageModel, StructModel } from './model.ts'
import { defaultExpr, fieldTsType, isDefaultExpr, kafkaTypeName } from './types.ts'
import { formatVersions, isEmpty } from './versions.ts'

/** The TypeScript interfaces of every struct of a message, root first. */
export function emitInterfaces(message: MessageModel): string[] {
  const out: string[] = []
  for (const s of message.structs) {
    out.push(`export interface ${s.tsName} {`)
    for (const f of s.fields) out.push(`  /** ${fieldDoc(f)} */`, `  ${f.name}: ${fieldTsType(f)}`)
    out.push('  /** Tagged fields this codec does not know; encoding writes them back unchanged. */', '  _unknownTaggedFields?: UnknownTaggedField[]', '}', '')
  }
  return out
}

/** A short factual description: wire type, versions, nullability, tag, default. */
function fieldDoc(f: FieldModel): string {
  const parts = [`${kafkaTypeName(f.type)}, versions ${formatVersions(f.versions)}`]
  if (!isEmpty(f.nullable)) parts.push(`nullable in ${formatVersions(f.nullable)}`)
  if (!isEmpty(f.tagged)) parts.push(`tagged field ${f.tag} in ${formatVersions(f.tagged)}`)
  const d = f.defaultValue
  if (d.kind === 'null' || d.kind === 'number' || d.kind === 'bigint' || (d.kind === 'bool' && d.value) || (d.kind === 'string' && d.value !== '')) {
    parts.push(`default ${defaultExpr(d)}`)
  }
  if (f.ignorable) parts.push('ignorable')
  return parts.join(', ')
}

/**
 * Every encode/decode function of a message, plus the `isDefaultX`/`defaultX` helpers the code refers to
 * (struct-typed fields compare against, and decode to, an all-defaults struct).
 */
export function emitFunctions(message: MessageModel): string[] {
  const out: string[] = []
  for (const s of message.structs) out.push(...emitWriter(s), '', ...emitReader(s), '')
  const helpers = new Map<string, string[]>()
  for (const s of message.structs) {
    helpers.set(`isDefault${s.tsName}`, isDefaultFunction(s))
    helpers.set(`default${s.tsName}`, defaultFunction(s))
  }
  const used = new Set<string>()
  let pending = out.join('\n')
  for (;;) {
    const added: string[] = []
    for (const [name, lines] of helpers) {
      if (!used.has(name) && new RegExp(`\\b${name}\\(`).test(pending)) {
        used.add(name)
        added.push(lines.join('\n'))
      }
    }
    if (added.length === 0) break
    pending = added.join('\n')
  }
  for (const [name, lines] of helpers) if (used.has(name)) out.push(...lines, '')
  return out
}

function isDefaultFunction(s: StructModel): string[] {
  const terms = s.fields.map((f) => isDefaultExpr(f, `m.${f.name}`))
  terms.push('(m._unknownTaggedFields === undefined || m._unknownTaggedFields.length === 0)')
  return [
    `function isDefault${s.tsName}(m: Input<${s.tsName}>): boolean {`,
    '  return (',
    ...indent(terms.map((t, i) => (i < terms.length - 1 ? `${t} &&` : t)), 2),
    '  )',
    '}',
  ]
}

function defaultFunction(s: StructModel): string[] {
  return [`function default${s.tsName}(): ${s.tsName} {`, '  return {', ...s.fields.map((f) => `    ${f.name}: ${defaultExpr(f.defaultValue)},`), '  }', '}']
}
