import {
  AlterConfigsApi,
  ApiVersionsApi,
  CreatePartitionsApi,
  CreateTopicsApi,
  DeleteRecordsApi,
  DeleteTopicsApi,
  DescribeClusterApi,
  DescribeConfigsApi,
  ErrorCode,
  FetchApi,
  IncrementalAlterConfigsApi,
  ListOffsetsApi,
  MetadataApi,
  OffsetForLeaderEpochApi,
  ProduceApi,
} from '@tributary/protocol'
import { RawClient, createTopic, produce, randomTopic, readRecords, startTestBroker, textBatch, textValues, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HandlerRegistry } from '../src/handlers/index.js'

/**
 * Every advertised version of every data-path and admin API, answered without an error: a response
 * field a version does not carry must not be set, or the codec refuses to encode it (which the
 * broker would log and answer as UNKNOWN_SERVER_ERROR).
 */
describe('every advertised version', () => {
  let t: TestBroker
  let client: RawClient
  let topic: string
  let topicId: string
  const registry = new HandlerRegistry()
  const versions = (apiKey: number) => {
    const r = registry.get(apiKey)!
    return Array.from({ length: r.maxVersion - r.minVersion + 1 }, (_, i) => r.minVersion + i)
  }

  beforeAll(async () => {
    t = await startTestBroker()
    client = await RawClient.connect(t.broker.port)
    topic = randomTopic()
    await createTopic(client, topic, 1)
    await produce(client, topic, 0, textBatch(textValues(3)))
    topicId = t.broker.logs.topic(topic)!.topicId
  })
  afterAll(async () => {
    expect(t.log.matching(/ERROR/)).toEqual([])
    await client.close()
    await t.broker.close()
  })

  it('Produce', async () => {
    for (const v of versions(ProduceApi.apiKey)) {
      const res = await client.request(ProduceApi, v, { acks: -1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records: textBatch([{ value: `v${v}` }]) }] }] })
      expect(res.responses[0]!.partitionResponses[0]!.errorCode, `v${v}`).toBe(0)
    }
  })

  it('Fetch', async () => {
    for (const v of versions(FetchApi.apiKey)) {
      const res = await client.request(FetchApi, v, {
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        sessionId: 0,
        sessionEpoch: -1,
        isolationLevel: v % 2,
        topics: [{ topic, topicId, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 }] }],
      })
      const p = res.responses[0]!.partitions[0]!
      expect(p.errorCode, `v${v}`).toBe(0)
      expect(readRecords(p.records).slice(0, 3).map((r) => r.value), `v${v}`).toEqual(['v0', 'v1', 'v2'])
    }
  })

  it('ListOffsets and OffsetForLeaderEpoch', async () => {
    for (const v of versions(ListOffsetsApi.apiKey)) {
      for (const timestamp of [-1n, -2n, 0n, ...(v >= 7 ? [-3n] : [])]) {
        const res = await client.request(ListOffsetsApi, v, { replicaId: -1, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp, maxNumOffsets: 1 }] }] })
        expect(res.topics[0]!.partitions[0]!.errorCode, `v${v} ${timestamp}`).toBe(0)
      }
    }
    for (const v of versions(OffsetForLeaderEpochApi.apiKey)) {
      const res = await client.request(OffsetForLeaderEpochApi, v, { topics: [{ topic, partitions: [{ partition: 0, leaderEpoch: 0, currentLeaderEpoch: -1 }] }] })
      expect(res.topics[0]!.partitions[0]!.errorCode, `v${v}`).toBe(0)
    }
  })

  it('Metadata, ApiVersions and DescribeCluster', async () => {
    for (const v of versions(MetadataApi.apiKey)) {
      const res = await client.request(MetadataApi, v, { topics: [{ name: topic, topicId }] })
      expect(res.topics[0]!.errorCode, `v${v}`).toBe(0)
    }
    for (const v of versions(ApiVersionsApi.apiKey)) expect((await client.request(ApiVersionsApi, v, { clientSoftwareName: 'a', clientSoftwareVersion: '1' })).errorCode).toBe(0)
    for (const v of versions(DescribeClusterApi.apiKey)) expect((await client.request(DescribeClusterApi, v, {})).errorCode).toBe(0)
  })

  it('CreateTopics, CreatePartitions, DeleteRecords and DeleteTopics', async () => {
    for (const v of versions(CreateTopicsApi.apiKey)) {
      const name = randomTopic(`ct${v}`)
      const res = await client.request(CreateTopicsApi, v, { topics: [{ name, numPartitions: 1, replicationFactor: 1 }], timeoutMs: 1000 })
      expect(res.topics[0]!.errorCode, `v${v}`).toBe(0)
    }
    for (const v of versions(CreatePartitionsApi.apiKey)) {
      const res = await client.request(CreatePartitionsApi, v, { topics: [{ name: topic, count: 2 + v, assignments: null }], timeoutMs: 1000 })
      expect(res.results[0]!.errorCode, `v${v}`).toBe(0)
    }
    for (const v of versions(DeleteRecordsApi.apiKey)) {
      const res = await client.request(DeleteRecordsApi, v, { topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: BigInt(v) }] }], timeoutMs: 1000 })
      expect(res.topics[0]!.partitions[0]!.errorCode, `v${v}`).toBe(0)
    }
    for (const v of versions(DeleteTopicsApi.apiKey)) {
      const name = randomTopic(`dt${v}`)
      await createTopic(client, name)
      const id = t.broker.logs.topic(name)!.topicId
      const res = await client.request(DeleteTopicsApi, v, v >= 6 ? { topics: [{ name: null, topicId: id }], timeoutMs: 1000 } : { topicNames: [name], timeoutMs: 1000 })
      expect(res.responses[0]!.errorCode, `v${v}`).toBe(0)
    }
  })

  it('DescribeConfigs, AlterConfigs and IncrementalAlterConfigs', async () => {
    for (const v of versions(DescribeConfigsApi.apiKey)) {
      const res = await client.request(DescribeConfigsApi, v, {
        resources: [
          { resourceType: 2, resourceName: topic, configurationKeys: null },
          { resourceType: 4, resourceName: '0', configurationKeys: null },
        ],
        includeSynonyms: v >= 1,
        includeDocumentation: v >= 3,
      })
      expect(res.results.map((r) => r.errorCode), `v${v}`).toEqual([0, 0])
    }
    for (const v of versions(AlterConfigsApi.apiKey)) {
      const res = await client.request(AlterConfigsApi, v, { resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'retention.ms', value: String(1000 + v) }] }] })
      expect(res.responses[0]!.errorCode, `v${v}`).toBe(0)
    }
    for (const v of versions(IncrementalAlterConfigsApi.apiKey)) {
      const res = await client.request(IncrementalAlterConfigsApi, v, { resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'retention.ms', configOperation: 0, value: String(2000 + v) }] }] })
      expect(res.responses[0]!.errorCode, `v${v}`).toBe(ErrorCode.NONE)
    }
  })
})
