import { Consumer, type ConsumerRecord, type TopicPartition } from '@tributary/consumer'
import { Command, InvalidArgumentError, Option } from 'commander'
import type { CliContext } from '../context.js'
import { clientOptionsOf, withAdmin, withConnectionOptions, type AdminConnectionOptions } from './admin-connection.js'
import { integerAtLeast } from './arguments.js'
import { decodeValue, formatOption, valueText, type ValueFormat } from './formats.js'
import { startProgress } from './progress.js'
import { checkPartition, partitionsOf } from './topic-partitions.js'

const FIELDS = ['key', 'partition', 'offset', 'timestamp', 'headers'] as const
type Field = (typeof FIELDS)[number]

interface ConsumeOptions extends AdminConnectionOptions {
  fromBeginning?: boolean
  group?: string
  partition?: number
  offset?: bigint | 'earliest' | 'latest'
  maxMessages?: number
  timeoutMs?: number
  isolationLevel: 'read_committed' | 'read_uncommitted'
  format: ValueFormat
  print?: Field[]
  separator: string
  output: 'text' | 'json'
}

function parseOffset(value: string): bigint | 'earliest' | 'latest' {
  const v = value.trim().toLowerCase()
  if (v === 'earliest' || v === 'latest') return v
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('Expected an offset (a whole number), earliest or latest.')
  return BigInt(v)
}

function parseFields(value: string): Field[] {
  const fields = value.split(',').map((f) => f.trim()).filter(Boolean)
  const unknown = fields.filter((f) => !(FIELDS as readonly string[]).includes(f))
  if (unknown.length > 0 || fields.length === 0) throw new InvalidArgumentError(`Expected a comma-separated list of ${FIELDS.join(', ')}.`)
  return fields as Field[]
}

/**
 * `tributary consume <topic>`: prints records, one a line, until `--max-messages`, `--timeout-ms`
 * without a record, or SIGINT/SIGTERM. With `--group` it commits the offsets of the records it has
 * printed every few seconds and when it stops, then leaves the group cleanly.
 *
 * @example
 * ```sh
 * tributary consume orders --from-beginning --max-messages 10 --print key,partition,offset
 * tributary consume orders --group billing --output json
 * ```
 */
export function consumeCommand(context: CliContext): Command {
  return withConnectionOptions(new Command('consume'))
    .description('print the records of a topic, one a line')
    .argument('<topic>', 'topic to read')
    .option('--from-beginning', 'start at the earliest offset when there is no committed one (default: only new records)')
    .option('--group <group>', 'join this consumer group and commit offsets (default: no group, nothing committed)')
    .option('--partition <n>', 'read only this partition', integerAtLeast(0))
    .addOption(new Option('--offset <offset>', 'start at this offset, earliest or latest (needs --partition)').argParser(parseOffset))
    .option('--max-messages <n>', 'stop after this many records', integerAtLeast(1))
    .option('--timeout-ms <ms>', 'stop when no record arrives for this long', integerAtLeast(1))
    .addOption(new Option('--isolation-level <level>', 'read_committed skips aborted transactional records').choices(['read_committed', 'read_uncommitted']).default('read_uncommitted'))
    .addOption(formatOption('value format: string, json (printed as compact JSON) or msgpack (decoded, printed as JSON)'))
    .addOption(new Option('--print <fields>', `fields printed before the value, in order: ${FIELDS.join(',')}`).argParser(parseFields))
    .option('--separator <sep>', 'between the printed fields', '\t')
    .addOption(new Option('--output <output>', 'text, or json: one JSON object per record (every field)').choices(['text', 'json']).default('text'))
    .action((topic: string, o: ConsumeOptions) => consume(topic, o, context))
}

async function consume(topic: string, o: ConsumeOptions, context: CliContext): Promise<void> {
  if (o.offset !== undefined && o.partition === undefined) throw new Error('--offset needs --partition.')
  if (o.offset !== undefined && o.fromBeginning) throw new Error('Give --offset or --from-beginning, not both.')
  const partitions = await withAdmin(o, (admin) => partitionsOf(admin, topic))
  checkPartition(topic, partitions, o.partition)
  const consumer = new Consumer({
    ...clientOptionsOf(o),
    ...(o.group !== undefined ? { groupId: o.group } : {}),
    autoOffsetReset: o.fromBeginning ? 'earliest' : 'latest',
    enableAutoCommit: false,
    isolationLevel: o.isolationLevel,
    allowAutoCreateTopics: false,
  })
  let count = 0
  const next = new Map<number, bigint>()
  // Commits what has been printed (with --group): every few seconds, and before closing.
  let committed = new Map<number, bigint>()
  const commitPrinted = async () => {
    if (o.group === undefined || [...next].every(([p, offset]) => committed.get(p) === offset)) return
    const offsets = new Map(next)
    await consumer.commit([...offsets].map(([partition, offset]) => ({ topic, partition, offset })))
    committed = offsets
  }
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= commitPrinted().finally(() => consumer.close())
    return stopping
  }
  const onSignal = () => void stop().catch(() => {})
  context.signals.once('SIGINT', onSignal)
  context.signals.once('SIGTERM', onSignal)
  let idle: NodeJS.Timeout | undefined
  const armTimeout = () => {
    if (o.timeoutMs === undefined) return
    clearTimeout(idle)
    idle = setTimeout(onSignal, o.timeoutMs)
  }
  const periodic = o.group === undefined ? undefined : setInterval(() => void commitPrinted().catch(() => {}), 5_000)
  const stopProgress = startProgress(context.stderr, 'consumed', () => count)
  try {
    if (o.group !== undefined && o.partition === undefined) {
      await consumer.subscribe(topic)
    } else {
      const assigned: TopicPartition[] = (o.partition !== undefined ? [o.partition] : partitions).map((partition) => ({ topic, partition }))
      await consumer.assign(assigned)
      if (o.offset === 'earliest' || (o.offset === undefined && o.fromBeginning && o.group === undefined)) consumer.seekToBeginning(assigned)
      else if (o.offset === 'latest') consumer.seekToEnd(assigned)
      else if (o.offset !== undefined) consumer.seek({ topic, partition: o.partition!, offset: o.offset })
    }
    armTimeout()
    for await (const record of consumer) {
      armTimeout()
      context.stdout.write(`${render(record, o)}\n`)
      count++
      next.set(record.partition, record.offset + 1n)
      if (o.maxMessages !== undefined && count >= o.maxMessages) break
    }
    await stop()
  } finally {
    clearTimeout(idle)
    clearInterval(periodic)
    stopProgress()
    context.signals.off('SIGINT', onSignal)
    context.signals.off('SIGTERM', onSignal)
    await consumer.close()
    context.stderr.write(`consumed ${count} records\n`)
  }
}

function headersText(record: ConsumerRecord): string {
  return record.headerList.map((h) => `${h.key}=${h.value === null ? '' : Buffer.from(h.value).toString('utf8')}`).join(',')
}

function render(record: ConsumerRecord, o: ConsumeOptions): string {
  const value = decodeValue(record.value, o.format, record.topic, record.partition, record.offset)
  const key = record.key === null ? null : record.key.toString('utf8')
  if (o.output === 'json') {
    const headers = record.headerList.map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value).toString('utf8') }))
    return valueText({ topic: record.topic, partition: record.partition, offset: record.offset.toString(), timestamp: record.timestamp, key, headers, value })
  }
  const shown: Record<Field, string> = {
    key: key ?? 'null',
    partition: String(record.partition),
    offset: record.offset.toString(),
    timestamp: String(record.timestamp),
    headers: headersText(record),
  }
  return [...(o.print ?? []).map((f) => shown[f]), valueText(value)].join(o.separator)
}
