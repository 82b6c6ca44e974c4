import { DecodeError, Reader, Writer } from '@tributary/protocol'

/**
 * The records the group coordinator writes to `__consumer_offsets`: our own binary format, built
 * with the protocol package's Reader and Writer (big-endian integers; `string` is an int16 length
 * and UTF-8 bytes, `nullable string` uses length -1 for null; `bytes` is an int32 length and the
 * bytes). The topic is compacted, so each key keeps only its latest value; a null value (a
 * tombstone) deletes the key.
 *
 * Every key starts with an int16 that names its kind and doubles as the key's schema version:
 *
 * | kind | key fields after the kind | value |
 * |------|---------------------------|-------|
 * | 1 committed offset | string group, string topic, int32 partition | offset value |
 * | 2 group metadata | string group | group value |
 * | 3 pending transactional offset | string group, string topic, int32 partition, int64 producer id | pending offset value |
 *
 * Every value starts with an int16 version (0 for all three today):
 *
 * - offset value v0: int64 offset, int32 leader epoch (-1: none), nullable string metadata,
 *   int64 commit timestamp (ms), int64 expire timestamp (ms; -1: by the retention rules).
 * - pending offset value v0: int16 producer epoch, int64 offset, int32 leader epoch,
 *   nullable string metadata, int64 commit timestamp.
 * - group value v0: nullable string protocol type, int32 generation, nullable string protocol
 *   name, nullable string leader, int64 state timestamp (when the group entered its current state),
 *   int32 member count, then per member: string member id, nullable string group instance id,
 *   string client id, string client host, int32 rebalance timeout, int32 session timeout,
 *   bytes subscription (the metadata of the group's protocol), bytes assignment.
 *
 * A reader skips keys of an unknown kind and values of an unknown version, so a newer broker's
 * records do not stop an older one from starting.
 */

/** Key kinds. */
export const KeyKind = { OFFSET: 1, GROUP: 2, PENDING_TXN_OFFSET: 3 } as const

/** A decoded key. */
export type StoredKey =
  | { kind: 'offset'; groupId: string; topic: string; partition: number }
  | { kind: 'group'; groupId: string }
  | { kind: 'pendingTxnOffset'; groupId: string; topic: string; partition: number; producerId: bigint }

/** A committed offset as stored. */
export interface StoredOffset {
  offset: bigint
  leaderEpoch: number
  metadata: string | null
  commitTimestamp: number
  /** -1: the offset expires by the retention rules; otherwise the time it expires (OffsetCommit v2-v4). */
  expireTimestamp: number
}

/** A transactional offset waiting for its transaction to end, as stored. */
export interface StoredPendingOffset {
  producerEpoch: number
  offset: bigint
  leaderEpoch: number
  metadata: string | null
  commitTimestamp: number
}

/** One member in a stored group. */
export interface StoredMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  subscription: Buffer
  assignment: Buffer
}

/** A group's metadata as stored: written when a rebalance completes or a static member is replaced. */
export interface StoredGroup {
  protocolType: string | null
  generationId: number
  protocolName: string | null
  leaderId: string | null
  stateTimestamp: number
  members: StoredMember[]
}

const VALUE_VERSION = 0

/** Encodes a key. */
export function encodeKey(key: StoredKey): Buffer {
  const w = new Writer(64)
  switch (key.kind) {
    case 'offset':
      w.int16(KeyKind.OFFSET).string(key.groupId).string(key.topic).int32(key.partition)
      break
    case 'group':
      w.int16(KeyKind.GROUP).string(key.groupId)
      break
    case 'pendingTxnOffset':
      w.int16(KeyKind.PENDING_TXN_OFFSET).string(key.groupId).string(key.topic).int32(key.partition).int64(key.producerId)
      break
  }
  return w.toBuffer()
}

/**
 * Decodes a key; undefined for a kind this broker does not know.
 *
 * @throws DecodeError for bytes that do not form a key.
 */
export function decodeKey(bytes: Buffer): StoredKey | undefined {
  const r = new Reader(bytes)
  const kind = r.int16()
  let key: StoredKey
  switch (kind) {
    case KeyKind.OFFSET:
      key = { kind: 'offset', groupId: r.string(), topic: r.string(), partition: r.int32() }
      break
    case KeyKind.GROUP:
      key = { kind: 'group', groupId: r.string() }
      break
    case KeyKind.PENDING_TXN_OFFSET:
      key = { kind: 'pendingTxnOffset', groupId: r.string(), topic: r.string(), partition: r.int32(), producerId: r.int64() }
      break
    default:
      return undefined
  }
  if (r.remaining !== 0) throw new DecodeError(`A group coordinator key of kind ${kind} has ${r.remaining} unexpected trailing bytes`)
  return key
}

/** Encodes a committed offset. */
export function encodeOffsetValue(v: StoredOffset): Buffer {
  return new Writer(64)
    .int16(VALUE_VERSION)
    .int64(v.offset)
    .int32(v.leaderEpoch)
    .nullableString(v.metadata)
    .int64(BigInt(v.commitTimestamp))
    .int64(BigInt(v.expireTimestamp))
    .toBuffer()
}

/** Decodes a committed offset; undefined for an unknown value version. @throws DecodeError */
export function decodeOffsetValue(bytes: Buffer): StoredOffset | undefined {
  const r = new Reader(bytes)
  if (r.int16() !== VALUE_VERSION) return undefined
  return { offset: r.int64(), leaderEpoch: r.int32(), metadata: r.nullableString(), commitTimestamp: Number(r.int64()), expireTimestamp: Number(r.int64()) }
}

/** Encodes a pending transactional offset. */
export function encodePendingOffsetValue(v: StoredPendingOffset): Buffer {
  return new Writer(64)
    .int16(VALUE_VERSION)
    .int16(v.producerEpoch)
    .int64(v.offset)
    .int32(v.leaderEpoch)
    .nullableString(v.metadata)
    .int64(BigInt(v.commitTimestamp))
    .toBuffer()
}

/** Decodes a pending transactional offset; undefined for an unknown value version. @throws DecodeError */
export function decodePendingOffsetValue(bytes: Buffer): StoredPendingOffset | undefined {
  const r = new Reader(bytes)
  if (r.int16() !== VALUE_VERSION) return undefined
  return { producerEpoch: r.int16(), offset: r.int64(), leaderEpoch: r.int32(), metadata: r.nullableString(), commitTimestamp: Number(r.int64()) }
}

/** Encodes a group's metadata. */
export function encodeGroupValue(g: StoredGroup): Buffer {
  const w = new Writer(256)
  w.int16(VALUE_VERSION)
    .nullableString(g.protocolType)
    .int32(g.generationId)
    .nullableString(g.protocolName)
    .nullableString(g.leaderId)
    .int64(BigInt(g.stateTimestamp))
    .int32(g.members.length)
  for (const m of g.members) {
    w.string(m.memberId)
      .nullableString(m.groupInstanceId)
      .string(m.clientId)
      .string(m.clientHost)
      .int32(m.rebalanceTimeoutMs)
      .int32(m.sessionTimeoutMs)
      .bytes(m.subscription)
      .bytes(m.assignment)
  }
  return w.toBuffer()
}

/** Decodes a group's metadata (byte fields are copies); undefined for an unknown value version. @throws DecodeError */
export function decodeGroupValue(bytes: Buffer): StoredGroup | undefined {
  const r = new Reader(bytes)
  if (r.int16() !== VALUE_VERSION) return undefined
  const protocolType = r.nullableString()
  const generationId = r.int32()
  const protocolName = r.nullableString()
  const leaderId = r.nullableString()
  const stateTimestamp = Number(r.int64())
  const count = r.int32()
  // Each member takes at least 24 bytes, so a bad count fails here rather than in a huge loop.
  if (count < 0 || count * 24 > r.remaining) throw new DecodeError(`A stored group claims ${count} members in ${r.remaining} bytes`)
  const members: StoredMember[] = []
  for (let i = 0; i < count; i++) {
    members.push({
      memberId: r.string(),
      groupInstanceId: r.nullableString(),
      clientId: r.string(),
      clientHost: r.string(),
      rebalanceTimeoutMs: r.int32(),
      sessionTimeoutMs: r.int32(),
      subscription: Buffer.from(r.bytes()),
      assignment: Buffer.from(r.bytes()),
    })
  }
  return { protocolType, generationId, protocolName, leaderId, stateTimestamp, members }
}
