import { createReadStream } from 'node:fs'
import { access } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { Producer, type ProducerRecord } from '@tributary/producer'
import { Command, Option } from 'commander'
import type { CliContext } from '../context.js'
import { clientOptionsOf, withAdmin, withConnectionOptions, type AdminConnectionOptions } from './admin-connection.js'
import { collectKeyValue, integerAtLeast, messageOf } from './arguments.js'
import { encodeValue, formatOption, type ValueFormat } from './formats.js'
import { startProgress } from './progress.js'
import { checkPartition, partitionsOf } from './topic-partitions.js'

interface ProduceOptions extends AdminConnectionOptions {
  file?: string
  keySeparator?: string
  header?: Array<[string, string]>
  acks: '0' | '1' | 'all'
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
  partition?: number
  format: ValueFormat
}

/** Sends at most this many records before waiting for their acknowledgements. */
const WINDOW = 5_000

/**
 * `tributary produce <topic>`: one record per input line (blank lines skipped), from stdin or
 * `--file`. Prints a summary to stderr; fails (exit 1) if a line is malformed or any send fails.
 *
 * @example
 * ```sh
 * printf 'c-1:{"total":5}\n' | tributary produce orders --key-separator : --format json --header source=cli
 * ```
 */
export function produceCommand(context: CliContext): Command {
  return withConnectionOptions(new Command('produce'))
    .description('send lines from stdin (or --file) as records, one record per line')
    .argument('<topic>', 'topic to write to')
    .option('--file <path>', 'read lines from this file instead of stdin')
    .option('--key-separator <sep>', 'each line is key<sep>value (split at the first <sep>)')
    .addOption(new Option('--header <key=value>', 'a header on every record (repeatable)').argParser(collectKeyValue))
    .addOption(new Option('--acks <acks>', 'acknowledgements to wait for').choices(['0', '1', 'all']).default('all'))
    .addOption(new Option('--compression <codec>', 'batch compression').choices(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none'))
    .option('--partition <n>', 'write every record to this partition (default: by key, or spread)', integerAtLeast(0))
    .addOption(formatOption('value format: string as is, json (each line must be JSON), msgpack (each JSON line encoded as MessagePack)'))
    .action((topic: string, o: ProduceOptions) => produce(topic, o, context))
}

function inputOf(o: ProduceOptions, context: CliContext): NodeJS.ReadableStream {
  return o.file === undefined ? (context.stdin ?? process.stdin) : createReadStream(o.file)
}

async function produce(topic: string, o: ProduceOptions, context: CliContext): Promise<void> {
  if (o.keySeparator === '') throw new Error('--key-separator must not be empty.')
  if (o.file !== undefined) {
    const file = o.file
    await access(file).catch((err: Error) => {
      throw new Error(`--file ${file} cannot be read: ${err.message}`)
    })
  }
  const partitions = await withAdmin(o, (admin) => partitionsOf(admin, topic))
  checkPartition(topic, partitions, o.partition)
  const producer = new Producer({
    ...clientOptionsOf(o),
    acks: o.acks === 'all' ? 'all' : (Number(o.acks) as 0 | 1),
    compression: o.compression,
    allowAutoCreateTopics: false,
  })
  const headers = (o.header ?? []).map(([key, value]) => ({ key, value }))
  const written = new Set<number>()
  const failures: string[] = []
  let sent = 0
  let acknowledged = 0
  let window: Promise<void>[] = []
  const stopProgress = startProgress(context.stderr, 'produced', () => acknowledged)
  let problem: Error | undefined
  try {
    await producer.connect()
    const lines = createInterface({ input: inputOf(o, context), crlfDelay: Number.POSITIVE_INFINITY })
    let lineNumber = 0
    for await (const line of lines) {
      const n = ++lineNumber
      if (line.trim() === '') continue
      const record = recordOf(line, n, topic, o, headers)
      sent++
      window.push(
        producer.send(record).then(
          (meta) => {
            acknowledged++
            written.add(meta.partition)
          },
          (err: unknown) => void failures.push(`line ${n}: ${messageOf(err)}`),
        ),
      )
      if (window.length >= WINDOW) {
        await Promise.all(window)
        window = []
      }
    }
  } catch (err) {
    problem = err instanceof Error ? err : new Error(String(err))
  } finally {
    await Promise.all(window)
    stopProgress()
    await producer.close()
  }
  const where = written.size > 0 ? ` (partitions ${[...written].sort((a, b) => a - b).join(',')})` : ''
  context.stderr.write(`produced ${acknowledged} of ${sent} records to ${topic}${where}\n`)
  if (problem) throw problem
  if (failures.length > 0) throw new Error(`${failures.length} of ${sent} records failed; ${failures[0]}`)
}

function recordOf(line: string, lineNumber: number, topic: string, o: ProduceOptions, headers: { key: string; value: string }[]): ProducerRecord {
  let key: string | undefined
  let text = line
  if (o.keySeparator !== undefined) {
    const at = line.indexOf(o.keySeparator)
    if (at < 0) throw new Error(`line ${lineNumber} has no key separator "${o.keySeparator}"`)
    key = line.slice(0, at)
    text = line.slice(at + o.keySeparator.length)
  }
  let value: Buffer
  try {
    value = encodeValue(text, o.format, topic)
  } catch (err) {
    throw new Error(`line ${lineNumber}: ${messageOf(err)}`)
  }
  return {
    topic,
    value,
    ...(key !== undefined ? { key } : {}),
    ...(o.partition !== undefined ? { partition: o.partition } : {}),
    ...(headers.length > 0 ? { headers } : {}),
  }
}
