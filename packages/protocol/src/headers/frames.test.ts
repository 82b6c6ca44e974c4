import { describe, expect, it } from 'vitest'
import { DecodeError, EncodeError } from '../errors/kafka-error.js'
import { ApiVersionsApi, FetchApi, MetadataApi, SaslHandshakeApi } from '../generated/apis/index.js'
import { Writer } from '../primitives/writer.js'
import { decodeRequestFrame, encodeRequestFrame } from './request-frame.js'
import { decodeResponseFrame, encodeResponseFrame, responseCorrelationId } from './response-frame.js'

const hex = (b: Buffer) => b.toString('hex')

describe('request frames', () => {
  it('encode ApiVersions v0 with a v1 header exactly as the protocol guide lays it out', () => {
    const frame = encodeRequestFrame(ApiVersionsApi, 0, { correlationId: 1, clientId: 'test' }, {})
    // size 14 | api key 18 | version 0 | correlation id 1 | client id "test" (int16 length) | empty body
    expect(hex(frame)).toBe('0000000e' + '0012' + '0000' + '00000001' + '0004' + '74657374')
  })

  it('use header v2 for flexible versions: client id keeps its int16 length, then an empty tag section', () => {
    const frame = encodeRequestFrame(ApiVersionsApi, 3, { correlationId: 7, clientId: 'ab' }, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })
    expect(hex(frame)).toBe('00000012' + '0012' + '0003' + '00000007' + '0002' + '6162' + '00' + '0278' + '0231' + '00')
  })

  it('write a null client id as length -1', () => {
    const frame = encodeRequestFrame(MetadataApi, 1, { correlationId: 2 }, { topics: null })
    expect(hex(frame)).toBe('0000000e' + '0003' + '0001' + '00000002' + 'ffff' + 'ffffffff')
  })

  it('decode the header and leave the body for the caller, round-tripping every API at its newest version', () => {
    const frame = encodeRequestFrame(FetchApi, 17, { correlationId: 99, clientId: 'c' }, { maxWaitMs: 500, topics: [{ partitions: [{ partition: 3 }] }] })
    const req = decodeRequestFrame(frame.subarray(4))
    expect([req.apiKey, req.apiVersion, req.correlationId, req.clientId, req.headerVersion, req.supported]).toEqual([1, 17, 99, 'c', 2, true])
    expect(req.api).toBe(FetchApi)
    const body = FetchApi.decodeRequest(req.body, req.apiVersion)
    expect(req.body.remaining).toBe(0)
    expect(body.maxWaitMs).toBe(500)
    expect(body.topics[0]!.partitions[0]!.partition).toBe(3)
  })

  it('read api key, version and correlation id of an unsupported version so the broker can answer', () => {
    const w = new Writer()
    w.int32(0).int16(18).int16(99).int32(42).nullableString('probe').uint8(0)
    w.patchInt32(0, w.offset - 4)
    const req = decodeRequestFrame(w.toBuffer().subarray(4))
    expect([req.apiKey, req.apiVersion, req.correlationId, req.clientId, req.supported]).toEqual([18, 99, 42, 'probe', false])
    expect(req.api).toBe(ApiVersionsApi)
  })

  it('read api key, version and correlation id of an unknown api key, even with a garbled rest', () => {
    const unknown = Buffer.from('7fff0000000000050003', 'hex') // key 32767, v0, correlation 5, then a truncated client id
    const req = decodeRequestFrame(unknown)
    expect([req.apiKey, req.apiVersion, req.correlationId, req.clientId, req.supported, req.api]).toEqual([32767, 0, 5, null, false, undefined])
  })

  it('reject frames too short for a header, and malformed headers of supported requests', () => {
    expect(() => decodeRequestFrame(Buffer.from('00030001', 'hex'))).toThrow(DecodeError)
    expect(() => decodeRequestFrame(Buffer.from('0003000100000001' + '0005ab', 'hex'))).toThrow(DecodeError)
  })

  it('append to a given writer and leave it untouched when encoding fails', () => {
    const w = new Writer(8)
    const first = Buffer.from(encodeRequestFrame(SaslHandshakeApi, 1, { correlationId: 1, clientId: null }, { mechanism: 'PLAIN' }, w))
    const before = w.offset
    expect(() => encodeRequestFrame(SaslHandshakeApi, 2, { correlationId: 2 }, {}, w)).toThrow(EncodeError)
    expect(w.offset).toBe(before)
    const second = encodeRequestFrame(SaslHandshakeApi, 0, { correlationId: 3 }, { mechanism: 'SCRAM-SHA-256' }, w)
    expect(hex(w.view())).toBe(hex(Buffer.concat([first, second])))
    expect(decodeRequestFrame(second.subarray(4)).correlationId).toBe(3)
  })
})

describe('response frames', () => {
  it('always use header v0 for ApiVersions, even in flexible versions', () => {
    const frame = encodeResponseFrame(ApiVersionsApi, 3, 5, { apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }] })
    // size | correlation id (no tag section) | error 0 | 1 api key | 18, 0, 4, no tags | throttle 0 | no tags
    expect(hex(frame)).toBe('00000013' + '00000005' + '0000' + '02' + '0012' + '0000' + '0004' + '00' + '00000000' + '00')
    const { correlationId, body } = decodeResponseFrame(ApiVersionsApi, 3, frame.subarray(4))
    expect(correlationId).toBe(5)
    expect(body.apiKeys).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 4 }])
  })

  it('use header v1 (with a tag section) for other flexible responses, and v0 before', () => {
    // throttle | no brokers | null cluster id | controller -1 | no topics | cluster operations (v8-10) | no tags
    expect(hex(encodeResponseFrame(MetadataApi, 9, 1, {}))).toBe('00000015' + '00000001' + '00' + '00000000' + '01' + '00' + 'ffffffff' + '01' + '80000000' + '00')
    expect(hex(encodeResponseFrame(MetadataApi, 0, 1, {}))).toBe('0000000c' + '00000001' + '00000000' + '00000000')
  })

  it('expose the correlation id before the api is known, and decode the body once it is', () => {
    const frame = encodeResponseFrame(MetadataApi, 12, 77, { brokers: [{ nodeId: 1, host: 'localhost', port: 9092 }] }).subarray(4)
    expect(responseCorrelationId(frame)).toBe(77)
    const { body } = decodeResponseFrame(MetadataApi, 12, frame)
    expect(body.brokers).toEqual([{ nodeId: 1, host: 'localhost', port: 9092, rack: null }])
    expect(() => responseCorrelationId(Buffer.alloc(2))).toThrow(DecodeError)
  })
})
