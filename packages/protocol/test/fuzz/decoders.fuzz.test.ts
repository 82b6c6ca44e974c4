import { beforeAll, describe, expect, it } from 'vitest'
import { compressionReady } from '../../src/compression/index.js'
import { DecodeError } from '../../src/errors/kafka-error.js'
import { API_DEFINITIONS } from '../../src/generated/apis/index.js'
import { MESSAGE_SCHEMAS } from '../../src/generated/schema.js'
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame } from '../../src/headers/index.js'
import { Reader } from '../../src/primitives/reader.js'
import { Writer } from '../../src/primitives/writer.js'
import { decodeRecordBatches, encodeRecordBatch } from '../../src/record-batch/index.js'
import { buildValue, makeRandom } from '../generated/schema-values.js'

// Feeds damaged and random bytes to every decoder. The only acceptable outcomes are a decoded value
// or a DecodeError: no RangeError or TypeError (an out-of-range read), no huge allocation (that shows
// up as a RangeError from Buffer), and no hang (every case is bounded by the test timeout).

type Mutation = (bytes: Buffer, rnd: () => number) => Buffer

const mutations: Record<string, Mutation> = {
  truncate: (b, rnd) => b.subarray(0, Math.floor(rnd() * b.length)),
  flipBits: (b, rnd) => {
    const out = Buffer.from(b)
    for (let i = 0, n = 1 + Math.floor(rnd() * 4); i < n && out.length; i++) out[Math.floor(rnd() * out.length)]! ^= 1 << Math.floor(rnd() * 8)
    return out
  },
  hostileLength: (b, rnd) => {
    const out = Buffer.from(b)
    if (out.length >= 4) out.writeInt32BE(rnd() < 0.5 ? 0x7fffffff : -2, Math.floor(rnd() * (out.length - 3)))
    return out
  },
  hugeVarint: (b, rnd) => {
    const out = Buffer.from(b)
    const at = Math.floor(rnd() * out.length)
    for (let i = at; i < Math.min(out.length, at + 5); i++) out[i] = i === at + 4 ? 0x0f : 0xff
    return out
  },
  randomTail: (b, rnd) => {
    const out = Buffer.from(b)
    for (let i = Math.floor(rnd() * out.length); i < out.length; i++) out[i] = Math.floor(rnd() * 256)
    return out
  },
}

function expectOnlyDecodeErrors(decode: () => unknown, label: string): void {
  try {
    decode()
  } catch (err) {
    if (!(err instanceof DecodeError)) throw new Error(`${label}: threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`, { cause: err })
  }
}

describe('decoder fuzzing', () => {
  // A flipped attribute bit can select any codec; zstd decodes synchronously once loaded.
  beforeAll(() => compressionReady())

  it('every API request and response decoder, every version, survives damaged input', () => {
    const rnd = makeRandom(20261122)
    let cases = 0
    for (const api of API_DEFINITIONS) {
      for (const side of ['Request', 'Response'] as const) {
        const schema = MESSAGE_SCHEMAS[`${api.name}${side}`]!
        for (let v = api.minVersion; v <= api.maxVersion; v++) {
          const w = new Writer()
          const value = buildValue(schema.fields, v, rnd, { nulls: false })
          if (side === 'Request') api.encodeRequest(w, v, value)
          else api.encodeResponse(w, v, value)
          const valid = w.toBuffer()
          const decode = (bytes: Buffer) => () => (side === 'Request' ? api.decodeRequest(new Reader(bytes), v) : api.decodeResponse(new Reader(bytes), v))
          for (const [name, mutate] of Object.entries(mutations)) {
            for (let i = 0; i < 4; i++) {
              expectOnlyDecodeErrors(decode(mutate(valid, rnd)), `${api.name}${side} v${v} ${name}`)
              cases++
            }
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(10_000)
  })

  it('whole frames with damaged headers are rejected with DecodeError', () => {
    const rnd = makeRandom(7)
    for (const api of API_DEFINITIONS) {
      const v = api.maxVersion
      const request = encodeRequestFrame(api, v, { correlationId: 42, clientId: 'fuzz' }, {}).subarray(4)
      const response = encodeResponseFrame(api, v, 42, {}).subarray(4)
      for (let i = 0; i < 20; i++) {
        for (const mutate of Object.values(mutations)) {
          expectOnlyDecodeErrors(() => {
            const frame = decodeRequestFrame(mutate(request, rnd))
            if (frame.api && frame.supported) frame.api.decodeRequest(frame.body, frame.apiVersion)
          }, `${api.name} request frame`)
          expectOnlyDecodeErrors(() => decodeResponseFrame(api, v, mutate(response, rnd)), `${api.name} response frame`)
        }
      }
    }
  })

  it('random frames are rejected with DecodeError', () => {
    const rnd = makeRandom(99)
    for (let i = 0; i < 20_000; i++) {
      const bytes = Buffer.alloc(Math.floor(rnd() * 64))
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rnd() * 256)
      expectOnlyDecodeErrors(() => {
        const frame = decodeRequestFrame(bytes)
        if (frame.api && frame.supported) frame.api.decodeRequest(frame.body, frame.apiVersion)
      }, 'random request frame')
      expectOnlyDecodeErrors(() => decodeRecordBatches(bytes), 'random record batch')
    }
  })

  it('a 2 GiB length prefix inside a 100-byte frame is an error, not an allocation', () => {
    for (const api of API_DEFINITIONS) {
      for (let v = api.minVersion; v <= api.maxVersion; v++) {
        for (let at = 0; at <= 96; at += 4) {
          const frame = Buffer.alloc(100)
          frame.writeInt32BE(0x7fffffff, at)
          expectOnlyDecodeErrors(() => api.decodeRequest(new Reader(frame), v), `${api.name} v${v} request`)
          expectOnlyDecodeErrors(() => api.decodeResponse(new Reader(frame), v), `${api.name} v${v} response`)
        }
      }
    }
  })

  it('record batches with damaged bytes decode or fail with DecodeError', () => {
    const rnd = makeRandom(3)
    const records = Array.from({ length: 20 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(50, i), headers: [{ key: 'h', value: Buffer.from('v') }] }))
    const batch = encodeRecordBatch({ records })
    for (let i = 0; i < 2_000; i++) {
      for (const [name, mutate] of Object.entries(mutations)) {
        expectOnlyDecodeErrors(() => decodeRecordBatches(mutate(batch, rnd), { verifyCrc: false }), `record batch ${name}`)
      }
    }
  })
})
