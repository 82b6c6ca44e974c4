import { quote } from './code.ts'
import { assembleModule } from './emit-module.ts'
import type { FieldModel, MessageModel } from './model.ts'
import { isEmpty, type VersionRange } from './versions.ts'

/**
 * `src/generated/schema.ts`: a compact description of every generated message (field names, wire types,
 * version ranges, defaults as written), for tests that build values for every version. Not exported
 * from the package.
 */
export function emitSchema(messages: MessageModel[]): string {
  const body = [
    'export interface FieldSchema {',
    '  readonly name: string',
    "  /** A primitive type name, 'struct', or '[]' followed by either. */",
    '  readonly type: string',
    '  /** Versions the field is on the wire in (inclusive), or null when never. */',
    '  readonly versions: readonly [number, number] | null',
    '  readonly nullable?: readonly [number, number]',
    '  readonly tagged?: readonly [number, number]',
    '  readonly tag?: number',
    '  /** The default exactly as the definition writes it. */',
    '  readonly default?: string',
    '  readonly ignorable?: true',
    '  readonly fields?: readonly FieldSchema[]',
    '}',
    '',
    'export interface MessageSchema {',
    '  readonly name: string',
    '  readonly apiKey?: number',
    '  readonly versions: readonly [number, number]',
    '  readonly flexible: readonly [number, number] | null',
    '  readonly fields: readonly FieldSchema[]',
    '}',
    '',
    'export const MESSAGE_SCHEMAS: Readonly<Record<string, MessageSchema>> = {',
  ]
  for (const m of messages) {
    const key = m.apiKey === undefined ? '' : ` apiKey: ${m.apiKey},`
    body.push(`  ${m.name}: {`, `    name: ${quote(m.name)},${key} versions: ${range(m.valid)}, flexible: ${range(m.flexible)},`, '    fields: [')
    body.push(...fieldLines(m.root.fields, 3))
    body.push('    ],', '  },')
  }
  body.push('}')
  return assembleModule(body, '../')
}

function range(r: VersionRange): string {
  return isEmpty(r) ? 'null' : `[${r.lo}, ${r.hi}]`
}

function typeText(f: FieldModel): string {
  const t = f.type
  if (t.kind === 'primitive') return t.name
  if (t.kind === 'struct') return 'struct'
  return `[]${t.element.kind === 'primitive' ? t.element.name : 'struct'}`
}

function fieldLines(fields: FieldModel[], depth: number): string[] {
  const pad = '  '.repeat(depth)
  const out: string[] = []
  for (const f of fields) {
    let line = `{ name: ${quote(f.name)}, type: ${quote(typeText(f))}, versions: ${range(f.versions)}`
    if (!isEmpty(f.nullable)) line += `, nullable: ${range(f.nullable)}`
    if (!isEmpty(f.tagged)) line += `, tagged: ${range(f.tagged)}, tag: ${f.tag}`
    if (f.defaultRaw !== undefined) line += `, default: ${quote(f.defaultRaw)}`
    if (f.ignorable) line += ', ignorable: true'
    const struct = f.type.kind === 'struct' ? f.type.struct : f.type.kind === 'array' && f.type.element.kind === 'struct' ? f.type.element.struct : undefined
    if (struct) {
      out.push(`${pad}${line}, fields: [`, ...fieldLines(struct.fields, depth + 1), `${pad}] },`)
    } else {
      out.push(`${pad}${line} },`)
    }
  }
  return out
}
