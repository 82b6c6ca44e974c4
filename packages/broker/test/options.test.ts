import { createServer } from 'node:net'
import { MetadataApi } from '@tributary/protocol'
import { RawClient, captureLog, randomTopic, startTestBroker } from '@tributary/testkit'
import { describe, expect, it } from 'vitest'
import { BROKER_SETTINGS, startBroker } from '../src/index.js'
import { resolveBrokerOptions } from '../src/options.js'

describe('broker options', () => {
  it('default to loopback, port 9092, file storage, node 0, auto-creation with one partition', () => {
    const o = resolveBrokerOptions({ dataDir: '/tmp/x' })
    expect(o).toMatchObject({ host: '127.0.0.1', advertisedHost: '127.0.0.1', port: 9092, storage: 'file', nodeId: 0, autoCreateTopics: true, defaultPartitions: 1, maxRequestSize: 104857600 })
    expect(resolveBrokerOptions({ storage: 'memory', host: '0.0.0.0' }).advertisedHost).toBe('localhost')
  })

  it('refuse bad values, naming the option and what is allowed', () => {
    expect(() => resolveBrokerOptions({ storage: 'memory', port: 70000 })).toThrow('Invalid broker option port: 70000; expected an integer from 0 to 65535')
    expect(() => resolveBrokerOptions({})).toThrow(/file storage needs dataDir/)
    expect(() => resolveBrokerOptions({ storage: 'memory', defaultPartitions: 0 })).toThrow(/defaultPartitions: 0/)
    expect(() => resolveBrokerOptions({ storage: 'memory', configs: { 'log.retention.ms': 'later' } })).toThrow(/Invalid value "later" for config retention.ms/)
    expect(() => resolveBrokerOptions({ storage: 'memory', configs: { 'no.such.config': '1' } })).toThrow(/Unknown broker config configs\['no.such.config'\]/)
    expect(() => resolveBrokerOptions({ storage: 'memory', configs: { 'default.replication.factor': '3' } })).toThrow(/there is one broker/)
    expect(() => resolveBrokerOptions({ storage: 'memory', clusterId: 'has space' })).toThrow(/clusterId/)
    expect(() => resolveBrokerOptions({ storage: 'memory', advertisedHost: '0.0.0.0' })).toThrow(/advertisedHost/)
  })

  it('read broker settings and Kafka spellings from configs; dedicated options win', () => {
    const o = resolveBrokerOptions({
      storage: 'memory',
      defaultPartitions: 5,
      configs: { 'num.partitions': '3', 'auto.create.topics.enable': 'false', 'broker.id': '2', 'log.retention.hours': '2', 'log.retention.check.interval.ms': '1000', 'message.max.bytes': '5000' },
    })
    expect(o).toMatchObject({ defaultPartitions: 5, autoCreateTopics: false, nodeId: 2, retentionCheckIntervalMs: 1000 })
    expect(o.topicDefaults).toEqual({ 'retention.ms': '7200000', 'max.message.bytes': '5000' })
    expect(o.settings.get('num.partitions')).toEqual({ value: '5', explicit: true })
    expect(o.settings.get('log.cleaner.backoff.ms')).toEqual({ value: '15000', explicit: false })
    expect([...BROKER_SETTINGS.keys()]).toContain('socket.request.max.bytes')
    // The .ms form wins over hours, as in Kafka.
    expect(resolveBrokerOptions({ storage: 'memory', configs: { 'log.retention.ms': '5', 'log.retention.hours': '1' } }).topicDefaults).toEqual({ 'retention.ms': '5' })
  })

  it('apply default partitions and broker topic defaults to new topics', async () => {
    const { broker } = await startTestBroker({ configs: { 'num.partitions': '4', 'log.segment.bytes': '65536' } })
    const client = await RawClient.connect(broker.port)
    const topic = randomTopic()
    const res = await client.request(MetadataApi, 12, { topics: [{ name: topic }], allowAutoTopicCreation: true })
    expect(res.topics[0]!.partitions).toHaveLength(4)
    expect(broker.logs.topicConfig(topic).segmentBytes).toBe(65536)
    await client.close()
    await broker.close()
  })

  it('report a taken port, close idempotently, and bracket IPv6 addresses in bootstrapServers', async () => {
    const { broker } = await startTestBroker()
    const log = captureLog()
    await expect(startBroker({ storage: 'memory', port: broker.port, logger: log.logger })).rejects.toMatchObject({ code: 'EADDRINUSE' })
    const closing = broker.close()
    expect(broker.close()).toBe(closing)
    await closing

    const ipv6 = await new Promise<boolean>((resolve) => {
      const probe = createServer()
      probe.once('error', () => resolve(false))
      probe.listen(0, '::1', () => probe.close(() => resolve(true)))
    })
    if (!ipv6) return
    const v6 = await startBroker({ storage: 'memory', port: 0, host: '::1', logger: log.logger })
    expect(v6.bootstrapServers).toBe(`[::1]:${v6.port}`)
    await v6.close()
  })
})
