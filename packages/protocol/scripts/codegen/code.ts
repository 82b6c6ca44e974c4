import { contains, intersect, isEmpty, type VersionRange } from './versions.ts'

/** A run of consecutive versions that share one behaviour, described by `key`. */
export interface Segment<K> {
  range: VersionRange
  key: K
}

/** Splits `possible` into maximal runs of versions for which `keyOf` gives the same key (compared as JSON). */
export function segments<K>(possible: VersionRange, keyOf: (version: number) => K): Segment<K>[] {
  const out: Segment<K>[] = []
  let last = ''
  for (let v = possible.lo; v <= possible.hi; v++) {
    const key = keyOf(v)
    const text = JSON.stringify(key)
    const prev = out[out.length - 1]
    if (prev && text === last) prev.range = { lo: prev.range.lo, hi: v }
    else out.push({ range: { lo: v, hi: v }, key })
    last = text
  }
  return out
}

/**
 * The condition under which the version variable `v` lies in `target`, given that it lies in `possible`
 * (and, for chains, at most `knownMax`). Returns `true`/`false` when the answer does not depend on `v`.
 */
export function versionCondition(target: VersionRange, possible: VersionRange, knownMax = possible.hi): string | boolean {
  const t = intersect(target, { lo: possible.lo, hi: knownMax })
  if (isEmpty(t)) return false
  const parts: string[] = []
  if (t.lo === t.hi && t.lo > possible.lo && t.hi < knownMax) return `v === ${t.lo}`
  if (t.lo > possible.lo) parts.push(`v >= ${t.lo}`)
  if (t.hi < knownMax) parts.push(`v <= ${t.hi}`)
  return parts.length === 0 ? true : parts.join(' && ')
}

/** Indents every non-empty line by `levels` steps of two spaces. */
export function indent(lines: string[], levels = 1): string[] {
  const pad = '  '.repeat(levels)
  return lines.map((l) => (l === '' ? l : pad + l))
}

/**
 * An `if (v >= …) { … } else if … else { … }` chain over segments (highest versions first). Segments whose
 * lines are null emit nothing. A single unconditional segment is emitted without an `if`.
 */
export function statementChain(possible: VersionRange, segs: { range: VersionRange; lines: string[] | null }[]): string[] {
  const desc = [...segs].sort((a, b) => b.range.lo - a.range.lo)
  const out: string[] = []
  let knownMax = possible.hi
  let opened = false
  for (const seg of desc) {
    if (seg.lines === null || seg.lines.length === 0) continue
    const cond = versionCondition(seg.range, possible, knownMax)
    if (cond === false) continue
    if (cond === true) {
      if (!opened) return [...out, ...seg.lines]
      out.push('} else {', ...indent(seg.lines), '}')
      return out
    }
    out.push(`${opened ? '} else if' : 'if'} (${cond}) {`, ...indent(seg.lines))
    opened = true
    if (seg.range.hi >= knownMax) knownMax = seg.range.lo - 1
  }
  if (opened) out.push('}')
  return out
}

/** A `v >= … ? a : v >= … ? b : c` expression over segments that cover `possible` (highest versions first). */
export function expressionChain(possible: VersionRange, segs: { range: VersionRange; expr: string }[]): string {
  const desc = [...segs].sort((a, b) => b.range.lo - a.range.lo)
  let knownMax = possible.hi
  let out = ''
  for (const seg of desc) {
    const cond = versionCondition(seg.range, possible, knownMax)
    if (cond === false) continue
    if (cond === true) return out + seg.expr
    out += `${cond} ? ${seg.expr} : `
    if (seg.range.hi >= knownMax) knownMax = seg.range.lo - 1
  }
  throw new Error('expressionChain: segments do not cover every possible version')
}

/** True when `v` is in `range` for every version in `possible`. */
export function always(range: VersionRange, possible: VersionRange): boolean {
  return isEmpty(possible) || (range.lo <= possible.lo && range.hi >= possible.hi)
}

export function inRange(range: VersionRange, v: number): boolean {
  return contains(range, v)
}

/** A single-quoted TypeScript string literal. */
export function quote(text: string): string {
  let out = "'"
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (ch === '\\' || ch === "'") out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0) || code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += ch
  }
  return `${out}'`
}

/** Words a generated local variable must not be named, plus the names the generated code uses itself. */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
    'import in instanceof new null return super switch this throw true try typeof var void while with yield let static ' +
    'implements interface package private protected public await arguments eval undefined NaN Infinity ' +
    'w v m r i n u a ui at tag'
  ).split(' '),
)

/** A safe local variable name for a field. */
export function localName(fieldName: string): string {
  return RESERVED.has(fieldName) ? `${fieldName}_` : fieldName
}
