import type { ConsumerContext } from '../context.js'

/**
 * What a group member subscribes to: a list of topics, or a pattern matched against every topic in
 * the cluster (internal topics excluded unless `excludeInternalTopics` is false). Pattern matches
 * are re-evaluated every `metadataMaxAgeMs`; a change makes the member rejoin, as in Kafka.
 */
export class TopicSubscription {
  private resolved: string[] = []

  constructor(
    private readonly ctx: ConsumerContext,
    readonly spec: readonly string[] | RegExp,
  ) {}

  /** The topics as last resolved, sorted. */
  get topics(): string[] {
    return this.resolved
  }

  /** Resolves the subscription against the cluster's current topics (creating listed topics when allowed); `signal` ends the retries. */
  async resolve(signal?: AbortSignal): Promise<string[]> {
    const cluster = this.ctx.cluster
    if (this.spec instanceof RegExp) {
      const pattern = this.spec
      const meta = await cluster.retry(() => cluster.refreshMetadata(null), { signal })
      this.resolved = [...meta.topics.values()]
        .filter((t) => !t.error && !(t.isInternal && this.ctx.options.excludeInternalTopics) && matches(pattern, t.name))
        .map((t) => t.name)
        .sort()
    } else {
      this.resolved = [...new Set(this.spec)].sort()
      await cluster.retry(() => cluster.metadata(this.resolved), { signal })
    }
    return this.resolved
  }

  /** Partition counts of `topics` from fresh-enough metadata; topics that do not exist are left out. `signal` ends the retries. */
  async partitionCounts(topics: readonly string[], signal?: AbortSignal): Promise<Map<string, number>> {
    const meta = await this.ctx.cluster.retry(() => this.ctx.cluster.metadata(topics), { signal })
    const counts = new Map<string, number>()
    for (const name of topics) {
      const t = meta.topics.get(name)
      if (t && !t.error && t.partitions.length > 0) counts.set(name, t.partitions.length)
    }
    return counts
  }
}

/** Tests a topic name against a pattern, without the `g`/`y` flags' state getting in the way. */
function matches(pattern: RegExp, name: string): boolean {
  pattern.lastIndex = 0
  return pattern.test(name)
}

/** Whether two sorted topic lists differ. */
export function topicsChanged(a: readonly string[], b: readonly string[]): boolean {
  return a.length !== b.length || a.some((t, i) => t !== b[i])
}

/** Whether two partition-count maps differ. */
export function countsChanged(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return true
  for (const [k, v] of a) if (b.get(k) !== v) return true
  return false
}
