import { ErrorCode, KafkaError, OffsetFetchApi, errorForCode } from '@tributary/protocol'
import type { Cluster } from '../cluster/cluster.js'
import { KafkaAggregateError } from '../errors/aggregate-error.js'
import { listOffsets } from './offsets.js'
import { partitionPath } from './routing.js'
import type { AdminCallOptions } from './settle.js'

export interface GroupOffset {
  topic: string
  partition: number
  /** The committed offset: the next record the group will read. */
  offset: bigint
  leaderEpoch: number
  metadata: string | null
}

export interface GroupLag {
  topic: string
  partition: number
  committedOffset: bigint
  /** The partition's end offset (high watermark, or last stable offset with read_committed). */
  endOffset: bigint
  /** `endOffset - committedOffset`, at least 0. */
  lag: bigint
}

export interface GroupOffsetsOptions extends AdminCallOptions {
  /** Only these topics (all their partitions); default every partition the group has committed. */
  topics?: string[]
  /** Wait for pending transactional commits to settle (OffsetFetch v7+). */
  requireStable?: boolean
}

/** See {@link Admin.fetchGroupOffsets}. */
export async function fetchGroupOffsets(cluster: Cluster, groupId: string, options: GroupOffsetsOptions = {}): Promise<GroupOffset[]> {
  const coordinator = { type: 'group' as const, key: groupId }
  const partitionsOf = options.topics ? await topicPartitions(cluster, options.topics, options) : null
  return cluster.retry(
    async () => {
      const conn = await cluster.coordinatorConnection('group', groupId)
      const version = conn.versionFor(OffsetFetchApi)
      if (version < 2 && partitionsOf === null) {
        throw new KafkaError(`Broker ${conn.address} supports only OffsetFetch v${version}, which cannot list all of a group's offsets: pass \`topics\``, { code: 'UNSUPPORTED_VERSION' })
      }
      const topics = partitionsOf && [...partitionsOf].map(([name, partitionIndexes]) => ({ name, partitionIndexes }))
      const response = await conn.request(
        OffsetFetchApi,
        (v) => (v >= 8 ? { requireStable: options.requireStable ?? false, groups: [{ groupId, topics }] } : { groupId, topics, requireStable: options.requireStable ?? false }),
        { version },
      )
      const group = version >= 8 ? response.groups.find((g) => g.groupId === groupId) : { errorCode: response.errorCode, topics: response.topics }
      if (!group) throw new KafkaError(`OffsetFetch returned nothing for group "${groupId}"`, { code: 'MISSING_RESPONSE' })
      const groupError = errorForCode(group.errorCode, `group "${groupId}"`)
      if (groupError) throw groupError
      const failures = new Map<string, KafkaError>()
      const offsets: GroupOffset[] = []
      for (const t of group.topics) {
        for (const p of t.partitions) {
          const ref = { topic: t.name, partition: p.partitionIndex }
          const error = errorForCode(p.errorCode, `${t.name}-${p.partitionIndex}`)
          if (error) failures.set(partitionPath(ref), error)
          else offsets.push({ ...ref, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.metadata })
        }
      }
      if (failures.size > 0) throw new KafkaAggregateError('fetchGroupOffsets', failures)
      return offsets.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
    },
    { ...options, coordinator },
  )
}

/**
 * See {@link Admin.groupLag}: committed offsets against end offsets. Partitions of the asked topics
 * without a commit are left out.
 */
export async function groupLag(
  cluster: Cluster,
  groupId: string,
  options: GroupOffsetsOptions & { isolationLevel?: 'read_uncommitted' | 'read_committed' } = {},
): Promise<GroupLag[]> {
  const committed = (await fetchGroupOffsets(cluster, groupId, options)).filter((o) => o.offset >= 0n)
  if (committed.length === 0) return []
  const byTopic = new Map<string, number[]>()
  for (const o of committed) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o.partition])
  const ends = await listOffsets(cluster, [...byTopic].map(([topic, partitions]) => ({ topic, partitions, at: 'latest' as const })), options)
  return committed.map((o) => {
    const endOffset = ends.find((e) => e.topic === o.topic && e.partition === o.partition)!.offset
    const lag = endOffset - o.offset
    return { topic: o.topic, partition: o.partition, committedOffset: o.offset, endOffset, lag: lag > 0n ? lag : 0n }
  })
}

/** Every partition of each topic, from metadata; a topic that does not exist is an error. */
async function topicPartitions(cluster: Cluster, topics: readonly string[], options: AdminCallOptions): Promise<Map<string, number[]>> {
  const meta = await cluster.retry(() => cluster.metadata(topics), options)
  const out = new Map<string, number[]>()
  for (const name of topics) {
    const t = meta.topics.get(name)
    if (!t || t.error) throw t?.error ?? errorForCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${name}"`)!
    out.set(name, t.partitions.map((p) => p.partition))
  }
  return out
}
