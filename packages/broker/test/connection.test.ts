import { API_DEFINITIONS, ApiVersionsApi, ErrorCode, FetchApi, MetadataApi, Writer, encodeRequestFrame } from '@tributary/protocol'
import { RawClient, captureLog, createTopic, produce, randomTopic, startTestBroker, textBatch, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBroker } from '../src/broker.js'
import { BROKER_HANDLERS, HandlerRegistry } from '../src/handlers/index.js'
import { defineHandler } from '../src/handlers/handler.js'

describe('connections', () => {
  let t: TestBroker
  let healthy: RawClient
  beforeAll(async () => {
    t = await startTestBroker({ maxRequestSize: 4096 })
    healthy = await RawClient.connect(t.broker.port)
  })
  afterAll(async () => {
    await healthy.close()
    await t.broker.close()
  })

  const stillServing = async () => expect((await healthy.request(MetadataApi, 12, { topics: null })).brokers).toHaveLength(1)

  it('close only the offending connection for a frame over socket.request.max.bytes', async () => {
    const bad = await RawClient.connect(t.broker.port)
    const frame = Buffer.alloc(8)
    frame.writeInt32BE(5000, 0)
    bad.sendRaw(frame)
    await bad.closed
    expect(t.log.matching('Frame of 5000 bytes exceeds the maximum of 4096 bytes')).toHaveLength(1)
    await stillServing()
  })

  it('close the connection for garbage: a negative size, a header too short, a truncated body', async () => {
    const garbage = [Buffer.from('ffffffff00', 'hex'), Buffer.from('0000000300120000', 'hex')]
    // An ApiVersions v3 frame whose body stops inside the client software name.
    const v3 = encodeRequestFrame(ApiVersionsApi, 3, { correlationId: 1, clientId: 'c' }, { clientSoftwareName: 'abcdef', clientSoftwareVersion: '1' })
    const truncated = Buffer.from(v3.subarray(0, v3.length - 6))
    truncated.writeInt32BE(truncated.length - 4, 0)
    garbage.push(truncated)
    for (const bytes of garbage) {
      const bad = await RawClient.connect(t.broker.port)
      bad.sendRaw(bytes)
      await bad.closed
    }
    expect(t.log.matching('negative size')).toHaveLength(1)
    expect(t.log.matching('malformed request header')).toHaveLength(1)
    expect(t.log.matching('malformed ApiVersions v3 request')).toHaveLength(1)
    await stillServing()
  })

  it('close the connection for an API key the broker does not serve, after answering the requests before it', async () => {
    // An API the codec knows but this broker does not serve, and a key nobody knows.
    const unserved = API_DEFINITIONS.find((api) => !new HandlerRegistry().get(api.apiKey))!
    for (const apiKey of [unserved.apiKey, 0x7fff]) {
      const bad = await RawClient.connect(t.broker.port)
      const served = bad.send(MetadataApi, 12, { topics: [] })
      const correlationId = bad.reserveCorrelationId()
      const w = new Writer().int32(0).int16(apiKey).int16(0).int32(correlationId).nullableString('c')
      w.patchInt32(0, w.offset - 4)
      bad.sendRaw(w.toBuffer())
      expect((await served.response).brokers).toHaveLength(1)
      await bad.closed
      expect(t.log.matching(`unknown API key ${apiKey} (correlation id ${correlationId})`)).toHaveLength(1)
    }
    await stillServing()
  })

  it('answer in request order while a long-polling fetch waits, and many requests pipelined', async () => {
    const topic = randomTopic()
    await createTopic(healthy, topic)
    const client = await RawClient.connect(t.broker.port)
    const fetch = client.send(FetchApi, 11, { maxWaitMs: 10_000, minBytes: 1, maxBytes: 1 << 20, sessionEpoch: -1, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }] })
    const later = Array.from({ length: 20 }, (_, i) =>
      i % 2 ? client.send(MetadataApi, 12, { topics: [] }) : client.send(ApiVersionsApi, 3, { clientSoftwareName: 'a', clientSoftwareVersion: '1' }),
    )
    await new Promise((resolve) => setTimeout(resolve, 200))
    // The later requests are done, but their answers wait behind the fetch.
    expect(client.arrivals).toEqual([])
    await produce(healthy, topic, 0, textBatch([{ value: 'wake' }]))
    const fetched = await fetch.response
    expect(fetched.responses[0]!.partitions[0]!.records!.length).toBeGreaterThan(0)
    await Promise.all(later.map((r) => r.response))
    expect(client.arrivals).toEqual([fetch.correlationId, ...later.map((r) => r.correlationId)])
    await client.close()
  })
})

describe('a handler that throws', () => {
  it('answers UNKNOWN_SERVER_ERROR, logs it, and keeps the connection and the broker serving', async () => {
    const log = captureLog()
    const throwing = defineHandler({
      api: MetadataApi,
      minVersion: 0,
      maxVersion: MetadataApi.maxVersion,
      handle(request) {
        if (request.topics?.some((t) => t.name === 'boom')) throw new Error('kaboom')
        return { brokers: [], topics: [] }
      },
      errorResponse: (request, errorCode) => ({ topics: (request.topics ?? []).map((t) => ({ errorCode, name: t.name ?? '', partitions: [] })) }),
    })
    const registry = new HandlerRegistry([...BROKER_HANDLERS.filter((h) => h.api !== MetadataApi), throwing])
    const broker = await launchBroker({ storage: 'memory', port: 0, logger: log.logger }, registry)
    try {
      const client = await RawClient.connect(broker.port)
      const res = await client.request(MetadataApi, 12, { topics: [{ name: 'boom' }] })
      expect(res.topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR)
      expect(log.matching(/ERROR .*Metadata v12 \(correlation id 1\) failed; answering UNKNOWN_SERVER_ERROR: kaboom/)).toHaveLength(1)
      expect((await client.request(MetadataApi, 12, { topics: [] })).topics).toEqual([])
      await client.close()
    } finally {
      await broker.close()
    }
  })

  it('refuses a registry with a range the codec cannot carry or two handlers of one key', () => {
    const tooWide = defineHandler({ ...BROKER_HANDLERS.find((h) => h.api === MetadataApi)!, maxVersion: MetadataApi.maxVersion + 1 })
    expect(() => new HandlerRegistry([tooWide])).toThrow(/not within the codec's/)
    expect(() => new HandlerRegistry([...BROKER_HANDLERS, BROKER_HANDLERS[0]!])).toThrow(/Two handlers for Produce/)
  })
})

describe('waitFor in connection tests', () => {
  it('sees connection open and close lines', async () => {
    const t = await startTestBroker()
    const c = await RawClient.connect(t.broker.port)
    await c.request(ApiVersionsApi, 0, {})
    await c.close()
    await waitFor(() => t.log.matching(/INFO connection 1 from 127\.0\.0\.1:\d+ \(client "testkit"\) closed after 1 request\(s\)/).length === 1)
    expect(t.log.matching(/INFO connection 1 opened from 127\.0\.0\.1:\d+/)).toHaveLength(1)
    await t.broker.close()
  })
})
