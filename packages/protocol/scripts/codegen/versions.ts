/**
 * Version ranges as the message definitions write them: `"3+"`, `"1-4"`, `"5"` or `"none"`.
 * A range is inclusive at both ends; an open range runs to {@link MAX_VERSION}.
 */
export interface VersionRange {
  readonly lo: number
  readonly hi: number
}

/** The highest version a definition can name (versions are int16 on the wire). */
export const MAX_VERSION = 0x7fff

export const NO_VERSIONS: VersionRange = { lo: 1, hi: 0 }

export function parseVersions(spec: string | undefined, fallback: VersionRange = NO_VERSIONS): VersionRange {
  if (spec === undefined) return fallback
  const text = spec.trim()
  if (text === 'none') return NO_VERSIONS
  let match = /^(\d+)\+$/.exec(text)
  if (match) return range(Number(match[1]), MAX_VERSION, spec)
  match = /^(\d+)-(\d+)$/.exec(text)
  if (match) return range(Number(match[1]), Number(match[2]), spec)
  match = /^(\d+)$/.exec(text)
  if (match) return range(Number(match[1]), Number(match[1]), spec)
  throw new Error(`Invalid version range "${spec}": expected "N+", "N-M", "N" or "none"`)
}

function range(lo: number, hi: number, spec: string): VersionRange {
  if (hi > MAX_VERSION || lo > hi) throw new Error(`Invalid version range "${spec}"`)
  return { lo, hi }
}

export function isEmpty(r: VersionRange): boolean {
  return r.lo > r.hi
}

export function intersect(a: VersionRange, b: VersionRange): VersionRange {
  const lo = Math.max(a.lo, b.lo)
  const hi = Math.min(a.hi, b.hi)
  return lo > hi ? NO_VERSIONS : { lo, hi }
}

export function contains(r: VersionRange, version: number): boolean {
  return version >= r.lo && version <= r.hi
}

/** True when every version of `inner` is in `outer` (an empty `inner` is contained in anything). */
export function covers(outer: VersionRange, inner: VersionRange): boolean {
  return isEmpty(inner) || (inner.lo >= outer.lo && inner.hi <= outer.hi)
}

/** `"3+"`, `"1-4"`, `"5"` or `"none"`, the inverse of {@link parseVersions}. */
export function formatVersions(r: VersionRange): string {
  if (isEmpty(r)) return 'none'
  if (r.hi === MAX_VERSION) return `${r.lo}+`
  return r.lo === r.hi ? `${r.lo}` : `${r.lo}-${r.hi}`
}
