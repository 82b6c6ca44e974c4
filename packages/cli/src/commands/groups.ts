import type { Admin, GroupLag } from '@tributary/client'
import { OffsetCommitApi, errorTableEntry, ErrorCode } from '@tributary/protocol'
import { Command, Option } from 'commander'
import type { CliContext } from '../context.js'
import { withAdmin, withConnectionOptions, type AdminConnectionOptions } from './admin-connection.js'
import { integerAtLeast, messageOf } from './arguments.js'
import { partitionsOf } from './topic-partitions.js'

interface ResetOptions extends AdminConnectionOptions {
  topic: string
  toEarliest?: boolean
  toLatest?: boolean
  toOffset?: number
  execute?: boolean
}

/** Runs `fn`, turning its failure into one line that says what was being done. */
async function doing<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw new Error(`${what} failed: ${messageOf(err)}`)
  }
}

/**
 * `tributary groups`: list, describe (members, assignments, committed offsets and lag), reset the
 * offsets of an empty group, and delete groups.
 *
 * @example
 * ```sh
 * tributary groups describe billing
 * tributary groups reset-offsets billing --topic orders --to-earliest --execute
 * ```
 */
export function groupsCommand(context: CliContext): Command {
  const groups = new Command('groups').description('inspect and manage the consumer groups of a running broker')
  groups.addCommand(
    withConnectionOptions(new Command('list'))
      .description('list groups, one a line: <group>\\t<state>')
      .action((o: AdminConnectionOptions) => listGroups(o, context)),
  )
  groups.addCommand(
    withConnectionOptions(new Command('describe'))
      .description("show a group's state, members with their assignments, and committed offsets with lag per partition")
      .argument('<group>', 'group id')
      .action((group: string, o: AdminConnectionOptions) => describeGroup(group, o, context)),
  )
  groups.addCommand(
    withConnectionOptions(new Command('reset-offsets'))
      .description("move an empty group's committed offsets on a topic (a dry run unless --execute)")
      .argument('<group>', 'group id')
      .requiredOption('--topic <topic>', 'the topic whose offsets to reset (all its partitions)')
      .addOption(new Option('--to-earliest', 'to the earliest offset').conflicts(['toLatest', 'toOffset']))
      .addOption(new Option('--to-latest', 'to the end of each partition').conflicts(['toOffset']))
      .addOption(new Option('--to-offset <offset>', 'to this offset (kept within each partition\'s range)').argParser(integerAtLeast(0)))
      .option('--execute', 'commit the new offsets (default: print the plan only)')
      .action((group: string, o: ResetOptions) => resetOffsets(group, o, context)),
  )
  groups.addCommand(
    withConnectionOptions(new Command('delete'))
      .description('delete an empty group and its committed offsets')
      .argument('<group>', 'group id')
      .action((group: string, o: AdminConnectionOptions) => deleteGroup(group, o, context)),
  )
  return groups
}

async function listGroups(o: AdminConnectionOptions, context: CliContext): Promise<void> {
  const groups = await withAdmin(o, (admin) => doing('listing groups', () => admin.listGroups()))
  for (const g of [...groups].sort((a, b) => a.groupId.localeCompare(b.groupId))) context.stdout.write(`${g.groupId}\t${g.state}\n`)
}

async function describeGroup(group: string, o: AdminConnectionOptions, context: CliContext): Promise<void> {
  const { description, lag } = await withAdmin(o, (admin) =>
    doing(`describing group ${group}`, async () => {
      const [description] = await admin.describeGroups([group])
      if (!description || description.state === 'Dead') throw new Error(`group ${group} does not exist`)
      return { description, lag: await admin.groupLag(group) }
    }),
  )
  const owner = new Map<string, string>()
  const out = [`Group: ${group}\tState: ${description.state}\tProtocol: ${description.protocol || '-'}\tMembers: ${description.members.length}`, 'MEMBER\tCLIENT-ID\tHOST\tASSIGNMENT']
  for (const m of description.members) {
    const assigned = (m.assignment ?? []).flatMap((a) => a.partitions.map((p) => `${a.topic}-${p}`))
    for (const tp of assigned) owner.set(tp, m.memberId)
    out.push(`${m.memberId}\t${m.clientId}\t${m.clientHost}\t${assigned.join(',') || '-'}`)
  }
  out.push('TOPIC\tPARTITION\tCOMMITTED\tEND\tLAG\tMEMBER')
  const byPartition = (a: GroupLag, b: GroupLag) => a.topic.localeCompare(b.topic) || a.partition - b.partition
  for (const l of [...lag].sort(byPartition)) out.push(`${l.topic}\t${l.partition}\t${l.committedOffset}\t${l.endOffset}\t${l.lag}\t${owner.get(`${l.topic}-${l.partition}`) ?? '-'}`)
  context.stdout.write(`${out.join('\n')}\n`)
}

async function planReset(admin: Admin, group: string, o: ResetOptions): Promise<Array<{ partition: number; current: bigint | null; target: bigint }>> {
  const [description] = await admin.describeGroups([group])
  if (description && description.state !== 'Empty' && description.state !== 'Dead') {
    throw new Error(`group ${group} is ${description.state} with ${description.members.length} member(s); stop its consumers first (offsets can only be reset while the group is empty)`)
  }
  const partitions = await partitionsOf(admin, o.topic)
  const at = (spec: 'earliest' | 'latest') => admin.listOffsets([{ topic: o.topic, partitions, at: spec }])
  const [earliest, latest, committed] = await Promise.all([at('earliest'), at('latest'), admin.fetchGroupOffsets(group, { topics: [o.topic] })])
  const offsetOf = (list: { partition: number; offset: bigint }[], p: number) => list.find((x) => x.partition === p)?.offset ?? null
  return partitions.map((partition) => {
    const low = offsetOf(earliest, partition) ?? 0n
    const high = offsetOf(latest, partition) ?? 0n
    const wanted = o.toEarliest ? low : o.toLatest ? high : BigInt(o.toOffset!)
    const target = wanted < low ? low : wanted > high ? high : wanted
    const current = offsetOf(committed, partition)
    return { partition, current: current !== null && current >= 0n ? current : null, target }
  })
}

async function resetOffsets(group: string, o: ResetOptions, context: CliContext): Promise<void> {
  if ([o.toEarliest, o.toLatest, o.toOffset !== undefined].filter(Boolean).length !== 1) throw new Error('reset-offsets needs one of --to-earliest, --to-latest or --to-offset <offset>.')
  await withAdmin(o, async (admin) => {
    const plan = await doing(`planning the reset of group ${group}`, () => planReset(admin, group, o))
    context.stdout.write('TOPIC\tPARTITION\tCURRENT\tNEW\n')
    for (const p of plan) context.stdout.write(`${o.topic}\t${p.partition}\t${p.current ?? '-'}\t${p.target}\n`)
    if (!o.execute) {
      context.stderr.write('dry run: nothing changed; add --execute to commit these offsets\n')
      return
    }
    await doing(`resetting the offsets of group ${group}`, async () => {
      const conn = await admin.cluster.coordinatorConnection('group', group)
      const res = await conn.request(OffsetCommitApi, {
        groupId: group,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [{ name: o.topic, partitions: plan.map((p) => ({ partitionIndex: p.partition, committedOffset: p.target, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null })) }],
      })
      const failed = res.topics.flatMap((t) => t.partitions).filter((p) => p.errorCode !== ErrorCode.NONE)
      if (failed.length > 0) throw new Error(failed.map((p) => `partition ${p.partitionIndex}: ${errorTableEntry(p.errorCode)?.name ?? `error ${p.errorCode}`}`).join('; '))
    })
    context.stderr.write(`group ${group}: offsets on ${o.topic} reset\n`)
  })
}

async function deleteGroup(group: string, o: AdminConnectionOptions, context: CliContext): Promise<void> {
  await withAdmin(o, (admin) => doing(`deleting group ${group}`, () => admin.deleteGroups([group])))
  context.stdout.write(`deleted group ${group}\n`)
}
