import { describe, expect, it } from 'vitest'
import { DecodeError, EncodeError } from '../../src/errors/kafka-error.js'
import { API_DEFINITIONS, ApiKey, FetchApi, MetadataApi, ProduceApi, apiByKey } from '../../src/generated/apis/index.js'
import { Reader } from '../../src/primitives/reader.js'
import { Writer } from '../../src/primitives/writer.js'

const encodeRequest = (api: typeof MetadataApi | typeof FetchApi | typeof ProduceApi, v: number, m: object) => {
  const w = new Writer()
  ;(api.encodeRequest as (w: Writer, v: number, m: object) => void)(w, v, m)
  return w.toBuffer()
}

describe('the API registry', () => {
  it('finds every API by key and knows its name', () => {
    expect(ApiKey.Metadata).toBe(3)
    expect(ApiKey.ApiVersions).toBe(18)
    expect(apiByKey(ApiKey.Metadata)).toBe(MetadataApi)
    for (const api of API_DEFINITIONS) expect(apiByKey(api.apiKey)).toBe(api)
    expect(apiByKey(4)).toBeUndefined()
    expect(apiByKey(-1)).toBeUndefined()
    expect(apiByKey(10_000)).toBeUndefined()
    expect(API_DEFINITIONS.map((a) => a.apiKey)).toEqual([...API_DEFINITIONS.map((a) => a.apiKey)].sort((a, b) => a - b))
  })

  it('gives header versions from flexibility, with ApiVersions responses always on header v0', () => {
    expect([MetadataApi.requestHeaderVersion(8), MetadataApi.requestHeaderVersion(9)]).toEqual([1, 2])
    expect([MetadataApi.responseHeaderVersion(8), MetadataApi.responseHeaderVersion(9)]).toEqual([0, 1])
    const apiVersions = apiByKey(ApiKey.ApiVersions)
    expect([apiVersions.requestHeaderVersion(3), apiVersions.responseHeaderVersion(3), apiVersions.responseHeaderVersion(0)]).toEqual([2, 0, 0])
    expect(apiVersions.requestHeaderVersion(7)).toBe(2) // a newer client's version is still read with a flexible header
    const sasl = apiByKey(ApiKey.SaslHandshake)
    expect([sasl.firstFlexibleVersion, sasl.requestHeaderVersion(1), sasl.responseHeaderVersion(1)]).toEqual([-1, 1, 0])
  })
})

describe('encoding rules', () => {
  it('reject unsupported versions, naming the API and version', () => {
    expect(() => encodeRequest(MetadataApi, 13, {})).toThrow(EncodeError)
    expect(() => encodeRequest(MetadataApi, 13, {})).toThrow(/Metadata \(API key 3\) request version 13/)
    expect(() => encodeRequest(MetadataApi, -1, {})).toThrow(EncodeError)
    expect(() => encodeRequest(MetadataApi, 1.5, {})).toThrow(EncodeError)
    expect(() => MetadataApi.decodeResponse(new Reader(Buffer.alloc(8)), 99)).toThrow(DecodeError)
    expect(() => MetadataApi.decodeResponse(new Reader(Buffer.alloc(8)), 99)).toThrow(/Metadata \(API key 3\) response version 99/)
  })

  it('reject null where the version does not allow it, naming the field and version', () => {
    expect(() => encodeRequest(MetadataApi, 0, { topics: null })).toThrow(/MetadataRequest\.topics is null.*version 0/)
    expect(() => encodeRequest(MetadataApi, 9, { topics: [{ name: null }] })).toThrow(/MetadataRequestTopic\.name is null.*version 9/)
    expect(encodeRequest(MetadataApi, 10, { topics: [{ name: null }] }).length).toBeGreaterThan(0)
    expect(() => encodeRequest(ProduceApi, 3, { topicData: [{ name: null }] })).toThrow(EncodeError)
  })

  it('reject a non-default value in a field the version lacks, unless the field is ignorable', () => {
    expect(() => encodeRequest(MetadataApi, 3, { allowAutoTopicCreation: false })).toThrow(/MetadataRequest\.allowAutoTopicCreation.*version 3/)
    expect(encodeRequest(MetadataApi, 3, { allowAutoTopicCreation: true })).toEqual(encodeRequest(MetadataApi, 3, {}))
    // transactionalId (v3+) is not ignorable; the topic id (v10+) is.
    expect(() => encodeRequest(ProduceApi, 2, { transactionalId: 'tx' })).toThrow(/ProduceRequest\.transactionalId/)
    expect(encodeRequest(MetadataApi, 9, { topics: [{ name: 'a', topicId: '0123456789abcdef0123456789abcdef'.replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-') }] })).toEqual(
      encodeRequest(MetadataApi, 9, { topics: [{ name: 'a' }] }),
    )
    const w = new Writer()
    ProduceApi.encodeResponse(w, 0, { responses: [{ name: 't', partitionResponses: [{ logAppendTimeMs: 5n }] }] })
    expect(ProduceApi.decodeResponse(new Reader(w.toBuffer()), 0).responses[0]!.partitionResponses[0]!.logAppendTimeMs).toBe(-1n)
  })

  it('treat tagged struct fields like others: a non-default value before they exist is an error', () => {
    const w = new Writer()
    expect(() => FetchApi.encodeResponse(w, 11, { responses: [{ partitions: [{ currentLeader: { leaderId: 3 } }] }] })).toThrow(/currentLeader.*version 11/)
    expect(() => FetchApi.encodeResponse(w, 11, { responses: [{ partitions: [{ currentLeader: { leaderId: -1 } }] }] })).not.toThrow()
  })

  it('refuse to drop unknown tagged fields in a version without tagged fields', () => {
    const unknown = [{ tag: 5, data: Buffer.from([1]) }]
    expect(() => encodeRequest(MetadataApi, 8, { _unknownTaggedFields: unknown })).toThrow(/unknown tagged fields.*version 8/)
    expect(() => encodeRequest(MetadataApi, 9, { _unknownTaggedFields: unknown })).not.toThrow()
  })

  it('merge unknown tagged fields with known ones in tag order, and reject a clash with a written known tag', () => {
    // Fetch v15: tag 0 is the cluster id, tag 1 the replica state. An unknown field with tag 0 goes before tag 1.
    const clusterIdBytes = Buffer.from([0x02, 0x78]) // compact string "x"
    const bytes = encodeRequest(FetchApi, 15, { replicaState: { replicaId: 1 }, _unknownTaggedFields: [{ tag: 0, data: clusterIdBytes }] })
    const tail = bytes.subarray(bytes.length - 20).toString('hex')
    expect(tail.endsWith('02' + '00' + '02' + '0278' + '01' + '0d' + '00000001' + 'ffffffffffffffff' + '00')).toBe(true)
    const decoded = FetchApi.decodeRequest(new Reader(bytes), 15)
    expect([decoded.clusterId, decoded.replicaState.replicaId, decoded._unknownTaggedFields]).toEqual(['x', 1, undefined])
    expect(() => encodeRequest(FetchApi, 15, { clusterId: 'y', _unknownTaggedFields: [{ tag: 0, data: clusterIdBytes }] })).toThrow(/tag of a known field/)
    expect(() => encodeRequest(FetchApi, 12, { _unknownTaggedFields: [{ tag: 9, data: Buffer.alloc(0) }, { tag: 8, data: Buffer.alloc(0) }] })).toThrow(/ascending/)
  })
})

describe('decoding untrusted bytes', () => {
  const response = () => {
    const w = new Writer()
    FetchApi.encodeResponse(w, 16, {
      responses: [{ topicId: '00000000-0000-0000-0000-00000000000a', partitions: [{ highWatermark: 3n, records: Buffer.alloc(40, 7), currentLeader: { leaderId: 1 } }] }],
      nodeEndpoints: [{ nodeId: 1, host: 'h', port: 9092 }],
    })
    return w.toBuffer()
  }

  it('throw DecodeError, never a RangeError, for every truncation of a valid response', () => {
    const bytes = response()
    for (let n = 0; n < bytes.length; n++) {
      expect(() => FetchApi.decodeResponse(new Reader(bytes.subarray(0, n)), 16), `truncated to ${n}`).toThrow(DecodeError)
    }
  })

  it('reject a hostile array length before allocating', () => {
    const w = new Writer().int32(0).int16(0).int32(0).uvarint(0x7ffffff0)
    expect(() => FetchApi.decodeResponse(new Reader(w.toBuffer()), 12)).toThrow(/exceeds/)
    expect(() => MetadataApi.decodeRequest(new Reader(Buffer.from('7fffffff', 'hex')), 1)).toThrow(DecodeError)
  })

  it('reject null for an array that cannot be null, naming it', () => {
    expect(() => MetadataApi.decodeRequest(new Reader(Buffer.from('ffffffff', 'hex')), 0)).toThrow(/MetadataRequest\.topics is null.*version 0/)
  })

  it('reject a known tagged field whose value does not fill its declared size', () => {
    // Fetch v12 response with no topics, then tag 0 (unknown at top level in v12) is kept; tag 0 at top level in v16 is
    // the node endpoints: declare 3 bytes but hold an empty array (1 byte) and two spare bytes.
    const bytes = Buffer.from('00000000' + '0000' + '00000000' + '01' + '01' + '00' + '03' + '01' + '0000', 'hex')
    expect(FetchApi.decodeResponse(new Reader(bytes), 12)._unknownTaggedFields).toEqual([{ tag: 0, data: Buffer.from('010000', 'hex') }])
    expect(() => FetchApi.decodeResponse(new Reader(bytes), 16)).toThrow(/declared 3 bytes/)
  })
})
