import { Admin, KafkaAggregateError, type ClientOptions } from '@tributary/client'
import { StreamsError } from '../errors.js'

/** What a runner needs to exist before it starts. */
export interface TopicPlan {
  inputs: readonly string[]
  changelogs: readonly string[]
  deadLetters: readonly string[]
}

/**
 * Checks the input topics and creates what is missing: changelog topics (compacted, with as many
 * partitions as the largest input topic, since store partition N follows input partition N) and
 * dead-letter topics (as many partitions as their input). Returns the input topics' partition counts.
 * `signal` abandons the work (the admin client is closed, its retries end).
 *
 * @throws StreamsError when an existing changelog topic has fewer partitions than the input
 */
export async function prepareTopics(client: ClientOptions, plan: TopicPlan, signal?: AbortSignal): Promise<Map<string, number>> {
  const admin = new Admin(client)
  const abandon = () => void admin.close()
  signal?.addEventListener('abort', abandon, { once: true })
  try {
    const inputs = await admin.describeTopics(plan.inputs, { signal })
    const counts = new Map(inputs.map((t) => [t.name, t.partitions.length]))
    const partitions = Math.max(1, ...counts.values())
    const existing = new Set(await admin.listTopics({ signal }))
    const wanted = [
      ...plan.changelogs.map((name) => ({ name, partitions, configs: { 'cleanup.policy': 'compact' } })),
      ...plan.deadLetters.map((name) => ({ name, partitions })),
    ].filter((t) => !existing.has(t.name))
    if (wanted.length > 0) {
      await admin.createTopics(wanted, { signal }).catch((err: unknown) => {
        if (err instanceof KafkaAggregateError && [...err.errors.values()].every((e) => e.code === 'TOPIC_ALREADY_EXISTS')) return
        throw err
      })
    }
    const present = plan.changelogs.filter((name) => existing.has(name))
    if (present.length > 0) {
      for (const t of await admin.describeTopics(present, { signal })) {
        if (t.partitions.length < partitions) {
          throw new StreamsError(`The changelog topic "${t.name}" has ${t.partitions.length} partitions but the input has ${partitions}; state of input partition N lives in changelog partition N`, 'RESTORE_FAILED')
        }
      }
    }
    return counts
  } finally {
    signal?.removeEventListener('abort', abandon)
    await admin.close()
  }
}
