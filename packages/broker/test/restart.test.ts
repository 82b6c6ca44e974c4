import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DescribeConfigsApi, MetadataApi } from '@tributary/protocol'
import { RawClient, captureLog, createTopic, fetchPartition, produce, randomTopic, readRecords, tempDir, textBatch, textValues } from '@tributary/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { startBroker, type Broker } from '../src/index.js'

describe('restart on the same data directory', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })
  const start = async (dataDir: string, extra: Parameters<typeof startBroker>[0] = {}): Promise<Broker> => {
    const broker = await startBroker({ port: 0, dataDir, logger: captureLog().logger, ...extra })
    cleanups.push(() => broker.close())
    return broker
  }

  it('keeps every message, topic, config and id, and continues offsets', async () => {
    const dir = tempDir()
    cleanups.push(dir.remove)
    const topic = randomTopic()
    const first = await start(dir.path)
    let client = await RawClient.connect(first.port)
    await createTopic(client, topic, 2, { 'retention.ms': '3600000' })
    expect(await produce(client, topic, 0, textBatch(textValues(3, 'a')))).toBe(0)
    expect(await produce(client, topic, 0, textBatch(textValues(2, 'b'), { compression: 'gzip' }))).toBe(3)
    expect(await produce(client, topic, 1, textBatch(textValues(4, 'c')))).toBe(0)
    const topicId = first.logs.topic(topic)!.topicId
    const clusterId = first.clusterId
    await client.close()
    await first.close()
    expect(readFileSync(join(dir.path, 'meta.properties'), 'utf8')).toContain(`cluster.id=${clusterId}`)

    const second = await start(dir.path)
    expect(second.logs.hadCleanShutdown).toBe(true)
    expect(second.clusterId).toBe(clusterId)
    client = await RawClient.connect(second.port)
    const meta = await client.request(MetadataApi, 12, { topics: [{ name: topic }], allowAutoTopicCreation: false })
    expect(meta.clusterId).toBe(clusterId)
    expect(meta.topics[0]).toMatchObject({ errorCode: 0, topicId })
    expect(meta.topics[0]!.partitions).toHaveLength(2)
    expect(await produce(client, topic, 0, textBatch(textValues(1, 'd')))).toBe(5)
    expect(await produce(client, topic, 1, textBatch(textValues(1, 'e')))).toBe(4)
    const p0 = readRecords((await fetchPartition(client, topic, 0, 0)).records)
    expect(p0.map((r) => `${r.offset}:${r.value}`)).toEqual(['0:a0', '1:a1', '2:a2', '3:b0', '4:b1', '5:d0'])
    const p1 = readRecords((await fetchPartition(client, topic, 1, 0)).records)
    expect(p1.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4])
    const configs = await client.request(DescribeConfigsApi, 4, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['retention.ms'] }] })
    expect(configs.results[0]!.configs[0]).toMatchObject({ value: '3600000', configSource: 1 })
    await client.close()
  })

  it('refuses a data directory in use, or one that belongs to another cluster or node', async () => {
    const dir = tempDir()
    cleanups.push(dir.remove)
    const running = await start(dir.path, { clusterId: 'cluster-a' })
    expect(running.clusterId).toBe('cluster-a')
    await expect(startBroker({ port: 0, dataDir: dir.path, logger: captureLog().logger })).rejects.toMatchObject({ code: 'KAFKA_STORAGE_ERROR' })
    await running.close()
    await expect(startBroker({ port: 0, dataDir: dir.path, clusterId: 'cluster-b', logger: captureLog().logger })).rejects.toMatchObject({ code: 'INCONSISTENT_CLUSTER_ID' })
    await expect(startBroker({ port: 0, dataDir: dir.path, nodeId: 4, logger: captureLog().logger })).rejects.toThrow(/belongs to node 0, not to node 4/)
    // After the refusals the directory is free and intact.
    const again = await start(dir.path)
    expect(again.clusterId).toBe('cluster-a')
  })
})
