/** A step's check did not hold: the demo reports it and exits non-zero. */
export class DemoCheckError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DemoCheckError'
  }
}

/**
 * Checks one result of a step. In self-test mode (`TRIBUTARY_DEMO_BREAK=<step>`) the step's first
 * check is inverted, so the demo must fail there: proof that the checks are really checked.
 */
export class Checker {
  private inverted: boolean

  constructor(broken: boolean) {
    this.inverted = broken
  }

  that(condition: boolean, expectation: string): void {
    if (this.inverted) {
      this.inverted = false
      if (condition) throw new DemoCheckError(`${expectation} — held, but TRIBUTARY_DEMO_BREAK inverted this check (self-test)`)
    }
    if (!condition) throw new DemoCheckError(expectation)
  }

  equal<T>(actual: T, expected: T, what: string): void {
    const a = stringify(actual)
    const e = stringify(expected)
    this.that(a === e, `${what}: expected ${e}, got ${a}`)
  }
}

const stringify = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))
