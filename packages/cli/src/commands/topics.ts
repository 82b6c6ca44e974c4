import type { Admin, ConfigEntry, ConfigOp } from '@tributary/client'
import { Command, Option } from 'commander'
import type { CliContext } from '../context.js'
import { withAdmin, withConnectionOptions, type AdminConnectionOptions } from './admin-connection.js'
import { collect, collectKeyValue, integerAtLeast, messageOf } from './arguments.js'

interface CreateOptions extends AdminConnectionOptions {
  partitions?: number
  replicationFactor?: number
  config?: Array<[string, string]>
}

interface DescribeOptions extends AdminConnectionOptions {
  allConfigs?: boolean
}

interface AlterOptions extends AdminConnectionOptions {
  partitions?: number
  config?: Array<[string, string]>
  deleteConfig?: string[]
}

const configOption = () => new Option('--config <key=value>', 'a topic config (repeatable)').argParser(collectKeyValue)

/** Runs `fn`, turning its failure into one line that says what was being done. */
async function doing<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw new Error(`${what} failed: ${messageOf(err)}`)
  }
}

/**
 * `tributary topics`: create, list, describe, alter and delete topics through the admin client.
 *
 * @example
 * ```sh
 * tributary topics create orders --partitions 3 --config retention.ms=86400000
 * tributary topics describe orders
 * ```
 */
export function topicsCommand(context: CliContext): Command {
  const topics = new Command('topics').description('manage the topics of a running broker')
  topics.addCommand(
    withConnectionOptions(new Command('create'))
      .description('create a topic')
      .argument('<name>', 'topic name')
      .option('--partitions <count>', 'number of partitions (default: the broker\'s num.partitions)', integerAtLeast(1))
      .option('--replication-factor <count>', 'replicas per partition (default: the broker\'s default.replication.factor)', integerAtLeast(1))
      .addOption(configOption())
      .action((name: string, o: CreateOptions) => createTopic(name, o, context)),
  )
  topics.addCommand(
    withConnectionOptions(new Command('list'))
      .description('list topic names, one a line')
      .option('--internal', 'include internal topics (such as __consumer_offsets)')
      .action((o: AdminConnectionOptions & { internal?: boolean }) => listTopics(o, context)),
  )
  topics.addCommand(
    withConnectionOptions(new Command('describe'))
      .description('show a topic\'s partitions (leaders, replicas, in-sync replicas) and the configs set on it')
      .argument('<name>', 'topic name')
      .option('--all-configs', 'show every config, defaults included')
      .action((name: string, o: DescribeOptions) => describeTopic(name, o, context)),
  )
  topics.addCommand(
    withConnectionOptions(new Command('alter'))
      .description('add partitions, or set or delete configs')
      .argument('<name>', 'topic name')
      .option('--partitions <count>', 'the new (larger) number of partitions', integerAtLeast(1))
      .addOption(configOption())
      .addOption(new Option('--delete-config <key>', 'return a config to its default (repeatable)').argParser(collect))
      .action((name: string, o: AlterOptions) => alterTopic(name, o, context)),
  )
  topics.addCommand(
    withConnectionOptions(new Command('delete'))
      .description('delete a topic and its records')
      .argument('<name>', 'topic name')
      .action((name: string, o: AdminConnectionOptions) => deleteTopic(name, o, context)),
  )
  return topics
}

async function createTopic(name: string, o: CreateOptions, context: CliContext): Promise<void> {
  const [created] = await withAdmin(o, (admin) =>
    doing(`creating topic ${name}`, () =>
      admin.createTopics([
        {
          name,
          ...(o.partitions !== undefined ? { partitions: o.partitions } : {}),
          ...(o.replicationFactor !== undefined ? { replicationFactor: o.replicationFactor } : {}),
          configs: Object.fromEntries(o.config ?? []),
        },
      ]),
    ),
  )
  context.stdout.write(`created topic ${name} (${created?.partitions ?? o.partitions} partitions, replication factor ${created?.replicationFactor ?? o.replicationFactor})\n`)
}

async function listTopics(o: AdminConnectionOptions & { internal?: boolean }, context: CliContext): Promise<void> {
  const names = await withAdmin(o, (admin) => doing('listing topics', () => admin.listTopics({ includeInternal: o.internal === true })))
  for (const name of [...names].sort()) context.stdout.write(`${name}\n`)
}

/** The topic's configs, all of them or only those set on the topic. */
export async function topicConfigs(admin: Admin, name: string, all: boolean): Promise<ConfigEntry[]> {
  const [description] = await admin.describeConfigs([{ type: 'topic', name }])
  const configs = description?.configs ?? []
  return configs.filter((c) => all || c.source === 'DYNAMIC_TOPIC_CONFIG').sort((a, b) => a.name.localeCompare(b.name))
}

async function describeTopic(name: string, o: DescribeOptions, context: CliContext): Promise<void> {
  const { topic, configs } = await withAdmin(o, (admin) =>
    doing(`describing topic ${name}`, async () => {
      const [topic] = await admin.describeTopics([name])
      if (!topic) throw new Error(`topic ${name} does not exist`)
      return { topic, configs: await topicConfigs(admin, name, o.allConfigs === true) }
    }),
  )
  const replication = topic.partitions[0]?.replicas.length ?? 0
  const out: string[] = [`Topic: ${topic.name}\tTopicId: ${topic.topicId}\tPartitionCount: ${topic.partitions.length}\tReplicationFactor: ${replication}`]
  for (const p of [...topic.partitions].sort((a, b) => a.partition - b.partition)) {
    out.push(`\tPartition: ${p.partition}\tLeader: ${p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}`)
  }
  out.push(`Configs:${configs.length === 0 ? ' (none set)' : ''}`)
  for (const c of configs) out.push(`\t${c.name}=${c.isSensitive ? '(sensitive)' : (c.value ?? '')}`)
  context.stdout.write(`${out.join('\n')}\n`)
}

async function alterTopic(name: string, o: AlterOptions, context: CliContext): Promise<void> {
  const ops: ConfigOp[] = [...(o.config ?? []).map(([key, value]): ConfigOp => ({ name: key, op: 'set', value })), ...(o.deleteConfig ?? []).map((key): ConfigOp => ({ name: key, op: 'delete' }))]
  if (o.partitions === undefined && ops.length === 0) throw new Error('topics alter needs --partitions, --config or --delete-config.')
  await withAdmin(o, async (admin) => {
    if (o.partitions !== undefined) {
      const count = o.partitions
      await doing(`adding partitions to topic ${name}`, () => admin.createPartitions([{ topic: name, count }]))
      context.stdout.write(`topic ${name}: now ${count} partitions\n`)
    }
    if (ops.length > 0) {
      await doing(`altering the configs of topic ${name}`, () => admin.alterConfigs([{ type: 'topic', name, ops }]))
      for (const op of ops) context.stdout.write(op.op === 'set' ? `topic ${name}: ${op.name}=${op.value}\n` : `topic ${name}: ${op.name} back to its default\n`)
    }
  })
}

async function deleteTopic(name: string, o: AdminConnectionOptions, context: CliContext): Promise<void> {
  await withAdmin(o, (admin) => doing(`deleting topic ${name}`, () => admin.deleteTopics([name])))
  context.stdout.write(`deleted topic ${name}\n`)
}
