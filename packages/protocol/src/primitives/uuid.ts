import { EncodeError } from '../errors/kafka-error.js'

/** The all-zero UUID Kafka uses for "no id". */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Writes a UUID string (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`) as 16 bytes at `offset`. */
export function writeUuid(buf: Buffer, offset: number, uuid: string): void {
  if (!UUID_PATTERN.test(uuid)) throw new EncodeError(`"${uuid}" is not a UUID (expected 32 hex digits in 8-4-4-4-12 form)`)
  buf.write(uuid.replace(/-/g, ''), offset, 16, 'hex')
}

/** Reads 16 bytes at `offset` as a lower-case UUID string. */
export function readUuid(buf: Buffer, offset: number): string {
  const hex = buf.toString('hex', offset, offset + 16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
