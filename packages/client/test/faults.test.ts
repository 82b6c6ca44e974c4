import { ErrorCode, MetadataApi } from '@tributary/protocol'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Admin } from '../src/admin/admin.js'
import type { Cluster } from '../src/cluster/cluster.js'
import { retry } from '../src/retry/retry.js'
import { clientOptions, produceRaw, recordRequests, startTestBroker, testCluster, type Broker } from './helpers/broker.js'
import { randomTopic } from './helpers/random.js'

let broker: Broker
let admin: Admin
let cluster: Cluster | undefined
const stops: (() => void)[] = []

beforeAll(async () => {
  broker = await startTestBroker()
  admin = new Admin(clientOptions(broker))
})
afterAll(async () => {
  await admin.close()
  await broker.close()
})
afterEach(() => {
  for (const stop of stops.splice(0)) stop()
  cluster?.close()
  cluster = undefined
})

/** Injects `action` into the first `times` requests of `apiName`. */
function inject(apiName: string, action: object, times = 1) {
  let left = times
  stops.push(broker.intercept((r) => (r.apiName === apiName && left-- > 0 ? action : undefined)))
}

const record = () => {
  const r = recordRequests(broker)
  stops.push(r.stop)
  return r.seen
}

describe('recovery from injected faults', () => {
  for (const [name, code] of [
    ['NOT_LEADER_OR_FOLLOWER', ErrorCode.NOT_LEADER_OR_FOLLOWER],
    ['FENCED_LEADER_EPOCH', ErrorCode.FENCED_LEADER_EPOCH],
    ['LEADER_NOT_AVAILABLE', ErrorCode.LEADER_NOT_AVAILABLE],
  ] as const) {
    it(`refreshes metadata after ${name} and then succeeds`, async () => {
      const topic = randomTopic()
      await admin.createTopics([{ name: topic, partitions: 2 }])
      await admin.listOffsets([{ topic }]) // warm the metadata cache
      const seen = record()
      inject('ListOffsets', { errorCode: code })
      const offsets = await admin.listOffsets([{ topic, partitions: [1] }])
      expect(offsets).toEqual([{ topic, partition: 1, offset: 0n, timestamp: -1n, leaderEpoch: expect.any(Number) }])
      const names = seen.map((r) => r.apiName)
      const failedAt = names.indexOf('ListOffsets')
      // The failed ListOffsets, then a Metadata refresh, then the successful retry.
      expect(names.slice(failedAt)).toEqual(['ListOffsets', 'Metadata', 'ListOffsets'])
    })
  }

  it('retries a request whose connection was dropped mid-request, on a new connection', async () => {
    cluster = testCluster(broker)
    await cluster.metadata()
    const seen = record()
    inject('Metadata', { disconnect: true })
    const errors: string[] = []
    const response = await retry(
      async () => (await cluster!.anyConnection()).request(MetadataApi, { topics: [] }),
      { retries: 5, retryBackoffMs: 10, retryBackoffMaxMs: 50, onRetry: (err) => void errors.push(err.code) },
    )
    expect(response.brokers).toHaveLength(1)
    expect(errors).toEqual(['CONNECTION_ERROR'])
    const metadata = seen.filter((r) => r.apiName === 'Metadata')
    expect(metadata).toHaveLength(2)
    expect(metadata[1]!.connectionId).not.toBe(metadata[0]!.connectionId)
  })

  it('retries after a response is lost following the handler (afterHandle: disconnect)', async () => {
    const topic = randomTopic()
    await admin.createTopics([{ name: topic, partitions: 1 }])
    cluster = testCluster(broker)
    await produceRaw(cluster, topic, 0, ['a', 'b', 'c'])
    inject('ListOffsets', { afterHandle: 'disconnect' })
    const [end] = await admin.listOffsets([{ topic }])
    expect(end!.offset).toBe(3n)
  })

  it('times out an unanswered request, replaces the suspect connection and succeeds on the retry', async () => {
    const timed = new Admin(clientOptions(broker, { requestTimeoutMs: 200 }))
    try {
      const topic = randomTopic()
      await timed.createTopics([{ name: topic, partitions: 1 }])
      const seen = record()
      inject('ListOffsets', { drop: true })
      const [end] = await timed.listOffsets([{ topic }])
      expect(end!.offset).toBe(0n)
      const attempts = seen.filter((r) => r.apiName === 'ListOffsets')
      expect(attempts).toHaveLength(2)
      expect(attempts[1]!.connectionId).not.toBe(attempts[0]!.connectionId)
    } finally {
      await timed.close()
    }
  })

  it('sends CreateTopics again after NOT_CONTROLLER, with refreshed metadata', async () => {
    const seen = record()
    inject('CreateTopics', { errorCode: ErrorCode.NOT_CONTROLLER })
    const name = randomTopic()
    const [created] = await admin.createTopics([{ name, partitions: 2 }])
    expect(created!.partitions).toBe(2)
    const names = seen.map((r) => r.apiName)
    expect(names.slice(names.indexOf('CreateTopics'))).toEqual(['CreateTopics', 'Metadata', 'CreateTopics'])
  })

  it('surfaces a non-retriable error at once, without retrying', async () => {
    const topic = randomTopic()
    await admin.createTopics([{ name: topic, partitions: 1 }])
    const seen = record()
    inject('ListOffsets', { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }, 10)
    const err = await admin.listOffsets([{ topic }]).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'TOPIC_AUTHORIZATION_FAILED', retriable: false })
    expect([...(err as { errors: Map<string, unknown> }).errors.keys()]).toEqual([`/topics/${topic}/partitions/0`])
    expect(seen.filter((r) => r.apiName === 'ListOffsets')).toHaveLength(1)
  })

  it('gives up on a retriable error when defaultApiTimeoutMs runs out', async () => {
    const topic = randomTopic()
    await admin.createTopics([{ name: topic, partitions: 1 }])
    inject('ListOffsets', { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }, 1000)
    const started = Date.now()
    const err = await admin.listOffsets([{ topic }], { timeoutMs: 400 }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'NOT_LEADER_OR_FOLLOWER', retriable: true })
    expect(Date.now() - started).toBeLessThan(1_500)
  })
})
