import { msgpackSerde } from '@tributary/client'
import { Option } from 'commander'

/** How record values are written and read: text, JSON text, or MessagePack. */
export type ValueFormat = 'string' | 'json' | 'msgpack'

export const formatOption = (what: string) => new Option('--format <format>', what).choices(['string', 'json', 'msgpack']).default('string')

const msgpack = msgpackSerde()

/** The bytes to send for one input line; throws a message naming the problem when the line does not fit the format. */
export function encodeValue(line: string, format: ValueFormat, topic: string): Buffer {
  if (format === 'string') return Buffer.from(line, 'utf8')
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`)
  }
  if (format === 'json') return Buffer.from(line, 'utf8')
  return msgpack.serialize(parsed, { topic, headers: {} }) as Buffer
}

/** A record value as the format reads it: a string for `string`, the parsed value for `json` and `msgpack`. */
export function decodeValue(value: Buffer | null, format: ValueFormat, topic: string, partition: number, offset: bigint): unknown {
  if (value === null || format === 'string') return value?.toString('utf8') ?? null
  try {
    if (format === 'json') return JSON.parse(value.toString('utf8'))
    return msgpack.deserialize(value, { topic, partition, offset, headers: {} })
  } catch (err) {
    throw new Error(`the value of ${topic}-${partition} at offset ${offset} is not ${format === 'json' ? 'JSON' : 'MessagePack'} (${(err as Error).message})`)
  }
}

/** A decoded value as one line of text: strings as they are, anything else as JSON. */
export function valueText(value: unknown): string {
  if (value === null) return 'null'
  return typeof value === 'string' ? value : JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
}
