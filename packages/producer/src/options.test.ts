import { OptionsError } from '@tributary/client'
import { describe, expect, it } from 'vitest'
import { parseProducerOptions } from './options.js'

const base = { bootstrapServers: 'localhost:9092' }
const message = (input: object) => {
  try {
    parseProducerOptions({ ...base, ...input })
  } catch (err) {
    expect(err).toBeInstanceOf(OptionsError)
    return (err as Error).message
  }
  throw new Error('expected an OptionsError')
}

describe('parseProducerOptions', () => {
  it("has Kafka 4.0's defaults, idempotence on", () => {
    const o = parseProducerOptions(base)
    expect(o).toMatchObject({
      acks: -1,
      lingerMs: 5,
      batchSize: 16_384,
      bufferMemory: 33_554_432,
      maxBlockMs: 60_000,
      compression: 'none',
      maxRequestSize: 1_048_576,
      deliveryTimeoutMs: 120_000,
      requestTimeoutMs: 30_000,
      retries: 2_147_483_647,
      retryBackoffMs: 100,
      enableIdempotence: true,
      idempotenceRequired: false,
      maxInFlightRequestsPerConnection: 5,
      transactionTimeoutMs: 60_000,
      partitioner: 'murmur2',
      clientId: 'tributary',
    })
  })

  it("takes acks 'all', -1, 0 and 1, and names the allowed values otherwise", () => {
    expect(parseProducerOptions({ ...base, acks: 'all' }).acks).toBe(-1)
    expect(parseProducerOptions({ ...base, acks: 0 }).acks).toBe(0)
    expect(message({ acks: 2 })).toContain("acks is 2: expected 'all', -1, 0 or 1")
  })

  it('quietly turns idempotence off when acks, retries or in-flight settings rule it out and it was not asked for', () => {
    expect(parseProducerOptions({ ...base, acks: 1 }).enableIdempotence).toBe(false)
    expect(parseProducerOptions({ ...base, retries: 0 }).enableIdempotence).toBe(false)
    expect(parseProducerOptions({ ...base, maxInFlightRequestsPerConnection: 6 }).enableIdempotence).toBe(false)
    expect(parseProducerOptions({ ...base, enableIdempotence: false }).enableIdempotence).toBe(false)
  })

  it('refuses conflicting explicit settings, naming both options', () => {
    const m = message({ enableIdempotence: true, acks: 1, retries: 0, maxInFlightRequestsPerConnection: 10 })
    expect(m).toContain("acks is 1: enableIdempotence: true requires acks: 'all'")
    expect(m).toContain('retries is 0: enableIdempotence: true requires retries > 0')
    expect(m).toContain('maxInFlightRequestsPerConnection is 10: enableIdempotence: true allows at most 5')
    expect(message({ transactionalId: 'tx', acks: 0 })).toContain(`acks is 0: transactionalId "tx" requires acks: 'all'`)
    expect(message({ transactionalId: 'tx', enableIdempotence: false })).toContain('enableIdempotence is false: transactionalId "tx" requires idempotence')
  })

  it('folds compressionType into compression and refuses two different codecs', () => {
    expect(parseProducerOptions({ ...base, compressionType: 'zstd' }).compression).toBe('zstd')
    expect(message({ compression: 'lz4', compressionType: 'gzip' })).toContain('compressionType is "gzip": it conflicts with compression "lz4"')
    expect(message({ compression: 'brotli' })).toContain('compression is "brotli": expected one of "none", "gzip", "snappy", "lz4", "zstd"')
  })

  it('requires deliveryTimeoutMs >= lingerMs + requestTimeoutMs, and raises the default to fit', () => {
    expect(message({ deliveryTimeoutMs: 1000, requestTimeoutMs: 2000 })).toContain('deliveryTimeoutMs is 1000: expected at least lingerMs + requestTimeoutMs (2005)')
    expect(parseProducerOptions({ ...base, requestTimeoutMs: 200_000 }).deliveryTimeoutMs).toBe(200_005)
  })

  it('validates partitioners, interceptors and serializers, and suggests misspelt names', () => {
    expect(message({ partitioner: 'sticky' })).toContain("expected 'murmur2', 'round-robin' or a function")
    expect(message({ interceptors: [{ onSend: 'nope' }] })).toContain('interceptors.0')
    expect(message({ valueSerializer: JSON.stringify })).toContain('valueSerializer')
    expect(message({ lingerMS: 5 })).toContain('unknown option "lingerMS" (did you mean "lingerMs"?)')
  })
})
