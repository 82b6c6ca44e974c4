import type { Assignor } from './assignor.js'
import { cooperativeStickyAssignor } from './cooperative-sticky.js'
import { rangeAssignor } from './range.js'
import { roundRobinAssignor } from './roundrobin.js'
import { stickyAssignor } from './sticky.js'

/**
 * The built-in assignors by their protocol names.
 *
 * @example
 * ```ts
 * const sticky = BUILTIN_ASSIGNORS.get('sticky')!
 * sticky.assign({ members, partitionsPerTopic: new Map([['orders', 6]]) })
 * ```
 */
export const BUILTIN_ASSIGNORS: ReadonlyMap<string, Assignor> = new Map(
  [rangeAssignor, roundRobinAssignor, stickyAssignor, cooperativeStickyAssignor].map((a) => [a.name, a]),
)

/** The names `partitionAssignmentStrategy` accepts as strings. */
export type BuiltinAssignorName = 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky'

/** Resolves a strategy list (names or assignor objects) to assignors, in preference order. */
export function resolveAssignors(strategy: readonly (BuiltinAssignorName | Assignor)[]): Assignor[] {
  return strategy.map((s) => (typeof s === 'string' ? BUILTIN_ASSIGNORS.get(s)! : s))
}
