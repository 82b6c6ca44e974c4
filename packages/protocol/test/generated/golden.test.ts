import { describe, expect, it } from 'vitest'
import type { DataDefinition, Input } from '../../src/api-definition.js'
import { ApiVersionsApi, FetchApi, JoinGroupApi, MetadataApi, ProduceApi } from '../../src/generated/apis/index.js'
import { RequestHeaderCodec } from '../../src/generated/headers.js'
import { ConsumerProtocolSubscriptionCodec } from '../../src/generated/structs/index.js'
import { Reader } from '../../src/primitives/reader.js'
import { Writer } from '../../src/primitives/writer.js'

/**
 * Byte vectors written by hand from the protocol guide (kafka.apache.org/protocol), not produced by the
 * codec, so that a mistake made the same way in encoder and decoder still fails here.
 */

type Encode<T> = (w: Writer, v: number, m: Input<T>) => void
type Decode<T> = (r: Reader, v: number) => T

function golden<T>(encode: Encode<T>, decode: Decode<T>, version: number, input: Input<T>, hex: string): T {
  const w = new Writer()
  encode(w, version, input)
  expect(w.toBuffer().toString('hex')).toBe(hex.replace(/\s+/g, ''))
  const r = new Reader(Buffer.from(hex.replace(/\s+/g, ''), 'hex'))
  const decoded = decode(r, version)
  expect(r.remaining).toBe(0)
  return decoded
}

const request = <Req, Res>(api: { encodeRequest: Encode<Req>; decodeRequest: Decode<Req> }) =>
  [(w: Writer, v: number, m: Input<Req>) => api.encodeRequest(w, v, m), (r: Reader, v: number) => api.decodeRequest(r, v)] as const
const response = <Res>(api: { encodeResponse: Encode<Res>; decodeResponse: Decode<Res> }) =>
  [(w: Writer, v: number, m: Input<Res>) => api.encodeResponse(w, v, m), (r: Reader, v: number) => api.decodeResponse(r, v)] as const
const data = <T>(def: DataDefinition<T>) => [(w: Writer, v: number, m: Input<T>) => def.encode(w, v, m), (r: Reader, v: number) => def.decode(r, v)] as const

const UUID = '0123456789abcdef0123456789abcdef'
const uuid = `${UUID.slice(0, 8)}-${UUID.slice(8, 12)}-${UUID.slice(12, 16)}-${UUID.slice(16, 20)}-${UUID.slice(20)}`

describe('golden vectors', () => {
  it('Metadata v0 request: an array of topic name strings', () => {
    const m = golden(...request(MetadataApi), 0, { topics: [{ name: 'foo' }, { name: 'bar' }] }, '00000002 0003 666f6f 0003 626172')
    expect(m.topics!.map((t) => t.name)).toEqual(['foo', 'bar'])
  })

  it('Metadata v1 request: a null topic array asks for all topics', () => {
    expect(golden(...request(MetadataApi), 1, { topics: null }, 'ffffffff').topics).toBeNull()
  })

  it('Metadata v4 request: allow_auto_topic_creation follows the topics', () => {
    expect(golden(...request(MetadataApi), 4, { topics: [{ name: 'foo' }], allowAutoTopicCreation: false }, '00000001 0003 666f6f 00').allowAutoTopicCreation).toBe(false)
  })

  it('Metadata v9 request: compact array and string lengths are N+1, every struct ends with a tag section', () => {
    golden(...request(MetadataApi), 9, { topics: [{ name: 'foo' }] }, '02 04 666f6f 00  01 00 00  00')
  })

  it('Metadata v12 request: topic id uuid then a null compact name', () => {
    const m = golden(...request(MetadataApi), 12, { topics: [{ topicId: uuid, name: null }] }, `02 ${UUID} 00 00  01 00  00`)
    expect(m.topics).toEqual([{ topicId: uuid, name: null }])
  })

  it('Produce v3 request: nullable transactional id, records as int32-sized bytes', () => {
    const m = golden(
      ...request(ProduceApi),
      3,
      { transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [{ name: 'foo', partitionData: [{ index: 0, records: Buffer.from([1, 2, 3]) }] }] },
      'ffff ffff 00007530 00000001 0003 666f6f 00000001 00000000 00000003 010203',
    )
    expect(m.topicData[0]!.partitionData[0]!.records).toEqual(Buffer.from([1, 2, 3]))
  })

  it('Produce v9 request: compact forms and tag sections at every level', () => {
    golden(
      ...request(ProduceApi),
      9,
      { transactionalId: 'tx', acks: 1, timeoutMs: 1000, topicData: [{ name: 'foo', partitionData: [{ index: 2, records: Buffer.from([1, 2, 3]) }] }] },
      '03 7478  0001  000003e8  02 04 666f6f  02 00000002 04 010203 00  00  00',
    )
  })

  it('JoinGroup v0 and v5 requests: fields added by later versions appear in place', () => {
    const base = { groupId: 'g', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 60000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from([1, 2]) }] }
    golden(...request(JoinGroupApi), 0, { ...base, rebalanceTimeoutMs: undefined }, '0001 67 00007530 0000 0008 636f6e73756d6572 00000001 0005 72616e6765 00000002 0102')
    golden(...request(JoinGroupApi), 5, { ...base, groupInstanceId: 'i' }, '0001 67 00007530 0000ea60 0000 0001 69 0008 636f6e73756d6572 00000001 0005 72616e6765 00000002 0102')
  })

  it('ApiVersions v3 response: tagged fields are written only when not default, in tag order', () => {
    golden(...response(ApiVersionsApi), 3, { apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }] }, '0000 02 0012 0000 0004 00 00000000 00')
    const m = golden(
      ...response(ApiVersionsApi),
      3,
      { apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }], supportedFeatures: [{ name: 'x', minVersion: 1, maxVersion: 2 }], finalizedFeaturesEpoch: 5n },
      '0000 02 0012 0000 0004 00 00000000  02  00 08 02 02 78 0001 0002 00  01 08 0000000000000005',
    )
    expect(m.finalizedFeaturesEpoch).toBe(5n)
    expect(m.supportedFeatures).toEqual([{ name: 'x', minVersion: 1, maxVersion: 2 }])
    expect(m.zkMigrationReady).toBe(false)
  })

  it('Fetch v12 response: a tagged struct field is sized and carries its own tag section', () => {
    const m = golden(
      ...response(FetchApi),
      12,
      { responses: [{ topic: 'foo', partitions: [{ highWatermark: 10n, currentLeader: { leaderId: 2, leaderEpoch: 7 } }] }] },
      '00000000 0000 00000000  02 04 666f6f  02 00000000 0000 000000000000000a ffffffffffffffff ffffffffffffffff 01 ffffffff 00' +
        '  01 01 09 00000002 00000007 00  00  00',
    )
    const p = m.responses[0]!.partitions[0]!
    expect(p.currentLeader).toEqual({ leaderId: 2, leaderEpoch: 7 })
    expect(p.divergingEpoch).toEqual({ epoch: -1, endOffset: -1n })
    expect(p.records).toBeNull()
  })

  it('Fetch v12 request: a tagged field of 202 bytes gets a two-byte size', () => {
    const clusterId = 'a'.repeat(200)
    const m = golden(
      ...request(FetchApi),
      12,
      { clusterId },
      'ffffffff 00000000 00000000 7fffffff 00 00000000 ffffffff 01 01 01' + ' 01 00 ca01 c901' + '61'.repeat(200),
    )
    expect(m.clusterId).toBe(clusterId)
  })

  it('RequestHeader v2: the client id keeps its int16 length, then a tag section', () => {
    golden(...data(RequestHeaderCodec), 2, { requestApiKey: 3, requestApiVersion: 12, correlationId: 1, clientId: 'c' }, '0003 000c 00000001 0001 63 00')
  })

  it('ConsumerProtocolSubscription v0: topics then nullable user data', () => {
    golden(...data(ConsumerProtocolSubscriptionCodec), 0, { topics: ['a', 'b'], userData: null }, '00000002 0001 61 0001 62 ffffffff')
  })
})
