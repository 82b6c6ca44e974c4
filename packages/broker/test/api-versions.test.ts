import { ApiVersionsApi, ErrorCode, FetchApi, MetadataApi, ProduceApi, Writer, decodeResponseFrame } from '@tributary/protocol'
import { RawClient, startTestBroker, textBatch, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HandlerRegistry } from '../src/handlers/index.js'

/**
 * Versions this broker advertises for the data path and admin APIs; changing one is a compatibility
 * decision, so it fails here first. APIs added later (groups, transactions) belong in this table too.
 */
const EXPECTED = [
  { apiKey: 0, minVersion: 0, maxVersion: 11 }, // Produce: from 0 so that librdkafka < 2.11.1 compresses; legacy message sets are refused
  { apiKey: 1, minVersion: 4, maxVersion: 17 }, // Fetch: RecordBatch v2 only
  { apiKey: 2, minVersion: 0, maxVersion: 10 }, // ListOffsets
  { apiKey: 3, minVersion: 0, maxVersion: 12 }, // Metadata
  { apiKey: 18, minVersion: 0, maxVersion: 4 }, // ApiVersions
  { apiKey: 19, minVersion: 0, maxVersion: 7 }, // CreateTopics
  { apiKey: 20, minVersion: 0, maxVersion: 6 }, // DeleteTopics
  { apiKey: 21, minVersion: 0, maxVersion: 2 }, // DeleteRecords
  { apiKey: 23, minVersion: 0, maxVersion: 4 }, // OffsetForLeaderEpoch
  { apiKey: 32, minVersion: 0, maxVersion: 4 }, // DescribeConfigs
  { apiKey: 33, minVersion: 0, maxVersion: 2 }, // AlterConfigs
  { apiKey: 37, minVersion: 0, maxVersion: 3 }, // CreatePartitions
  { apiKey: 44, minVersion: 0, maxVersion: 1 }, // IncrementalAlterConfigs
  { apiKey: 60, minVersion: 0, maxVersion: 1 }, // DescribeCluster
  { apiKey: 17, minVersion: 0, maxVersion: 1 }, // SaslHandshake: v0 is the unframed-token flow
  { apiKey: 36, minVersion: 0, maxVersion: 2 }, // SaslAuthenticate
  { apiKey: 29, minVersion: 0, maxVersion: 3 }, // DescribeAcls
  { apiKey: 30, minVersion: 0, maxVersion: 3 }, // CreateAcls
  { apiKey: 31, minVersion: 0, maxVersion: 3 }, // DeleteAcls
  { apiKey: 50, minVersion: 0, maxVersion: 0 }, // DescribeUserScramCredentials
  { apiKey: 51, minVersion: 0, maxVersion: 0 }, // AlterUserScramCredentials
]

/** A request frame with any api key and version, header v2 (flexible) and the given body bytes. */
function handBuiltFrame(apiKey: number, version: number, correlationId: number, body: Buffer = Buffer.alloc(0), flexibleHeader = true): Buffer {
  const w = new Writer()
  w.int32(0).int16(apiKey).int16(version).int32(correlationId).nullableString('probe')
  if (flexibleHeader) w.uvarint(0)
  w.raw(body)
  w.patchInt32(0, w.offset - 4)
  return w.toBuffer()
}

describe('ApiVersions', () => {
  let t: TestBroker
  let client: RawClient
  beforeAll(async () => {
    t = await startTestBroker()
    client = await RawClient.connect(t.broker.port)
  })
  afterAll(async () => {
    await client.close()
    await t.broker.close()
  })

  it('advertises exactly the registry, which holds the expected ranges', async () => {
    const registry = new HandlerRegistry().apiVersions()
    expect(registry).toEqual(expect.arrayContaining(EXPECTED))
    for (const version of [0, 1, 2, 3, 4]) {
      const res = await client.request(ApiVersionsApi, version, version >= 3 ? { clientSoftwareName: 'raw-test', clientSoftwareVersion: '1.0.0' } : {})
      expect(res.errorCode).toBe(ErrorCode.NONE)
      expect(res.apiKeys).toEqual(registry)
    }
  })

  it('checks the v3+ client software name and version and remembers them for the log', async () => {
    const bad = await client.request(ApiVersionsApi, 3, { clientSoftwareName: '-bad name-', clientSoftwareVersion: '1' })
    expect(bad.errorCode).toBe(ErrorCode.INVALID_REQUEST)
    expect(bad.apiKeys).toEqual(new HandlerRegistry().apiVersions())
    const other = await RawClient.connect(t.broker.port)
    await other.request(ApiVersionsApi, 4, { clientSoftwareName: 'my-client', clientSoftwareVersion: '2.3.4' })
    await other.close()
    await waitFor(() => t.log.matching('closed after 1 request(s), my-client 2.3.4').length === 1)
  })

  it('answers an unknown ApiVersions version with a v0 body: UNSUPPORTED_VERSION and the ranges', async () => {
    const id = client.reserveCorrelationId()
    const response = client.expect(id)
    client.sendRaw(handBuiltFrame(18, 99, id, Buffer.from([0, 0, 0])))
    const { correlationId, body } = decodeResponseFrame(ApiVersionsApi, 0, await response)
    expect(correlationId).toBe(id)
    expect(body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION)
    expect(body.apiKeys).toEqual(new HandlerRegistry().apiVersions())
    // The connection stays usable for the retry at a supported version.
    expect((await client.request(ApiVersionsApi, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })).errorCode).toBe(0)
  })

  it('answers Fetch v3 (legacy message sets) with UNSUPPORTED_VERSION, and a legacy message set in Produce v2 with UNSUPPORTED_FOR_MESSAGE_FORMAT', async () => {
    const fetch = await client.request(FetchApi, 3, { maxWaitMs: 0, topics: [{ topic: 'legacy', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1000 }] }] })
    expect(fetch.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION)
    expect(t.log.matching('Fetch v3 (this broker serves v4-17); answered UNSUPPORTED_VERSION')).toHaveLength(1)
    // offset, size, crc, magic 1, attributes, timestamp, null key, value "v"
    const message = Buffer.concat([Buffer.from('00000000' + '01' + '00' + '0000000000000000' + 'ffffffff' + '00000001', 'hex'), Buffer.from('v')])
    const messageSet = Buffer.concat([Buffer.alloc(8), Buffer.from([0, 0, 0, message.length]), message])
    const produce = await client.request(ProduceApi, 2, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'legacy', partitionData: [{ index: 0, records: messageSet }] }] })
    expect(produce.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT)
    // A v2 batch in an old request version is stored like any other.
    const modern = await client.request(ProduceApi, 2, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'legacy', partitionData: [{ index: 0, records: textBatch([{ value: 'x' }]) }] }] })
    expect(modern.responses[0]!.partitionResponses[0]!).toMatchObject({ errorCode: 0, baseOffset: 0n })
  })

  it('closes the connection for a version beyond anything it can decode, leaving others alone', async () => {
    const probe = await RawClient.connect(t.broker.port)
    probe.sendRaw(handBuiltFrame(MetadataApi.apiKey, MetadataApi.maxVersion + 1, 1))
    await probe.closed
    expect(t.log.matching(`Metadata v${MetadataApi.maxVersion + 1} (this broker serves v0-12) cannot be decoded`)).toHaveLength(1)
    expect((await client.request(MetadataApi, 12, { topics: [] })).brokers).toHaveLength(1)
  })
})
