import { describe, expect, it } from 'vitest'
import type { DataDefinition, AnyApiDefinition } from '../../src/api-definition.js'
import { API_DEFINITIONS } from '../../src/generated/apis/index.js'
import { RequestHeaderCodec, ResponseHeaderCodec } from '../../src/generated/headers.js'
import { MESSAGE_SCHEMAS, type MessageSchema } from '../../src/generated/schema.js'
import { ConsumerProtocolAssignmentCodec, ConsumerProtocolSubscriptionCodec } from '../../src/generated/structs/index.js'
import { Reader } from '../../src/primitives/reader.js'
import { Writer } from '../../src/primitives/writer.js'
import { buildValue, defaultsOf, inRange, makeRandom, withUnknownTaggedFields } from './schema-values.js'

/** The encode/decode pair of one message (an API request or response, a header, or a data structure). */
interface Codec {
  schema: MessageSchema
  encode(w: Writer, version: number, value: unknown): void
  decode(r: Reader, version: number): unknown
}

function apiCodecs(api: AnyApiDefinition): [string, Codec][] {
  return [
    ['request', { schema: MESSAGE_SCHEMAS[`${api.name}Request`]!, encode: (w, v, m) => api.encodeRequest(w, v, m), decode: (r, v) => api.decodeRequest(r, v) }],
    ['response', { schema: MESSAGE_SCHEMAS[`${api.name}Response`]!, encode: (w, v, m) => api.encodeResponse(w, v, m), decode: (r, v) => api.decodeResponse(r, v) }],
  ]
}

function dataCodec(def: DataDefinition<unknown>): Codec {
  return { schema: MESSAGE_SCHEMAS[def.name]!, encode: (w, v, m) => def.encode(w, v, m), decode: (r, v) => def.decode(r, v) }
}

function encode(codec: Codec, version: number, value: unknown): Buffer {
  const w = new Writer(16)
  codec.encode(w, version, value)
  return w.toBuffer()
}

function decodeAll(codec: Codec, version: number, bytes: Buffer): unknown {
  const r = new Reader(bytes)
  const decoded = codec.decode(r, version)
  expect(r.remaining, 'decoding consumed every byte').toBe(0)
  return decoded
}

/** Encode → decode gives the value back, and encoding the decoded value gives the same bytes. */
function expectRoundTrip(codec: Codec, version: number, value: unknown): Buffer {
  const bytes = encode(codec, version, value)
  const decoded = decodeAll(codec, version, bytes)
  expect(decoded).toStrictEqual(value)
  expect(encode(codec, version, decoded).equals(bytes), 're-encoding gives identical bytes').toBe(true)
  return bytes
}

function versions(schema: MessageSchema): number[] {
  const out: number[] = []
  for (let v = schema.versions[0]; v <= schema.versions[1]; v++) out.push(v)
  return out
}

function roundTripSuite(codec: Codec): void {
  const schema = codec.schema
  it.each(versions(schema))('v%i: non-default values round-trip byte for byte', (v) => {
    const rnd = makeRandom(v * 7919 + schema.name.length)
    for (let i = 0; i < 3; i++) expectRoundTrip(codec, v, buildValue(schema.fields, v, rnd, { nulls: false }))
    expectRoundTrip(codec, v, buildValue(schema.fields, v, rnd, { nulls: true }))
  })
  it.each(versions(schema))('v%i: an empty input encodes every field as its default', (v) => {
    const bytes = encode(codec, v, {})
    expect(decodeAll(codec, v, bytes)).toStrictEqual(defaultsOf(schema.fields))
  })
  if (schema.flexible) {
    it.each(versions(schema).filter((v) => inRange(schema.flexible, v)))('v%i: unknown tagged fields survive a round trip', (v) => {
      const value = withUnknownTaggedFields(buildValue(schema.fields, v, makeRandom(v), { nulls: false }), schema.fields, v)
      expectRoundTrip(codec, v, value)
    })
  }
}

describe.each(API_DEFINITIONS.map((api) => [`${api.apiKey} ${api.name}`, api] as const))('%s', (_, api) => {
  it('has both schemas and the version range of its definition', () => {
    for (const [, codec] of apiCodecs(api)) {
      expect(codec.schema.apiKey).toBe(api.apiKey)
      expect(codec.schema.versions).toEqual([api.minVersion, api.maxVersion])
      expect(api.firstFlexibleVersion).toBe(codec.schema.flexible ? codec.schema.flexible[0] : -1)
    }
  })
  for (const [direction, codec] of apiCodecs(api)) describe(direction, () => roundTripSuite(codec))
})

describe.each([RequestHeaderCodec, ResponseHeaderCodec, ConsumerProtocolSubscriptionCodec, ConsumerProtocolAssignmentCodec].map((d) => [d.name, d] as const))(
  '%s',
  (_, def) => roundTripSuite(dataCodec(def as DataDefinition<unknown>)),
)
