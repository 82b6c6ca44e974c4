import { InvalidArgumentError } from 'commander'

/** Parses a whole number at least `min` (for counts, partitions and offsets given on the command line). */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`Expected a whole number of at least ${min}.`)
    return n
  }
}

/** Adds one value of a repeatable option to those given before. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/** Parses one repeatable `k=v` option (a config or a header) and adds it to those given before. */
export function collectKeyValue(value: string, previous: Array<[string, string]> | undefined): Array<[string, string]> {
  const at = value.indexOf('=')
  if (at <= 0) throw new InvalidArgumentError(`Expected key=value, not "${value}".`)
  return [...(previous ?? []), [value.slice(0, at), value.slice(at + 1)]]
}

/** The message of anything thrown, for a one-line error. */
export function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.split('\n').map((line) => line.trim()).filter(Boolean).join('; ')
}
