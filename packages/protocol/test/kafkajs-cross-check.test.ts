import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import type { ApiDefinition, Input } from '../src/api-definition.js'
import { FetchApi, JoinGroupApi, MetadataApi, OffsetCommitApi, ProduceApi, SyncGroupApi } from '../src/generated/apis/index.js'
import { Reader } from '../src/primitives/reader.js'
import { Writer } from '../src/primitives/writer.js'

/**
 * Our generated codecs against kafkajs 2.2.4's hand-written ones, an independent implementation of the
 * same wire format. kafkajs only encodes requests and only decodes responses, so:
 *  - requests: kafkajs's bytes decode to the values it was given, and our encoding of those values is
 *    the same bytes;
 *  - responses: what we encode, kafkajs decodes to the values we gave.
 */

const require = createRequire(import.meta.url)
// kafkajs is CommonJS without type declarations for its internals.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any
const kafkajs = (path: string): Any => require(`kafkajs/src/protocol/${path}`)

async function kafkajsRequest(api: string, version: number, args: object): Promise<Buffer> {
  const encoder = await kafkajs(`requests/${api}/v${version}/request`)(args).encode()
  return Buffer.from(encoder.buffer)
}

async function kafkajsResponse(api: string, version: number, bytes: Buffer): Promise<Any> {
  return kafkajs(`requests/${api}/v${version}/response`).decode(bytes)
}

function ourRequest<Req, Res>(api: ApiDefinition<Req, Res>, version: number, body: Input<Req>): Buffer {
  const w = new Writer()
  api.encodeRequest(w, version, body)
  return w.toBuffer()
}

function ourResponse<Req, Res>(api: ApiDefinition<Req, Res>, version: number, body: Input<Res>): Buffer {
  const w = new Writer()
  api.encodeResponse(w, version, body)
  return w.toBuffer()
}

function decodeOurRequest<Req, Res>(api: ApiDefinition<Req, Res>, version: number, bytes: Buffer): Req {
  const r = new Reader(bytes)
  const decoded = api.decodeRequest(r, version)
  expect(r.remaining, 'our decoder consumed all of kafkajs\'s bytes').toBe(0)
  return decoded
}

/** A RecordBatch built by kafkajs itself, with fixed timestamps so the bytes are reproducible. */
async function kafkajsRecordBatch(messages: { key: string; value: string }[], firstOffset = 0): Promise<Buffer> {
  const { RecordBatch } = kafkajs('recordBatch/v0')
  const Record = kafkajs('recordBatch/record/v0')
  const Long = require('kafkajs/src/utils/long')
  const batch = await RecordBatch({
    firstOffset: Long.fromNumber(firstOffset),
    firstTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_000,
    lastOffsetDelta: messages.length - 1,
    records: messages.map((m, i) => Record({ ...m, offsetDelta: i, timestampDelta: 0 })),
  })
  return Buffer.from(batch.buffer)
}

/** Reads a RecordBatch with kafkajs's decoder and returns its records' keys and values. */
async function kafkajsRecords(records: Buffer): Promise<{ key: string; value: string }[]> {
  const Decoder = kafkajs('decoder')
  const batch = await kafkajs('recordBatch/v0/decoder')(new Decoder(records))
  return batch.records.map((r: Any) => ({ key: r.key.toString(), value: r.value.toString() }))
}

const MESSAGES = [
  { key: 'k1', value: 'hello' },
  { key: 'k2', value: 'wörld' },
]

describe('kafkajs cross-check: Metadata', () => {
  it.each([0, 1, 2, 3, 4, 5, 6])('request v%i: same bytes both ways', async (v) => {
    const bytes = await kafkajsRequest('metadata', v, { topics: ['orders', 'payments'], allowAutoTopicCreation: false })
    const ours = { topics: [{ name: 'orders' }, { name: 'payments' }], allowAutoTopicCreation: v >= 4 ? false : true }
    expect(ourRequest(MetadataApi, v, ours).toString('hex')).toBe(bytes.toString('hex'))
    const decoded = decodeOurRequest(MetadataApi, v, bytes)
    expect(decoded.topics!.map((t) => t.name)).toEqual(['orders', 'payments'])
    expect(decoded.allowAutoTopicCreation).toBe(ours.allowAutoTopicCreation)
  })

  it.each([0, 1, 2, 3, 4, 5, 6])('response v%i: kafkajs decodes what we encode', async (v) => {
    const bytes = ourResponse(MetadataApi, v, {
      throttleTimeMs: 25,
      brokers: [{ nodeId: 1, host: 'broker-1', port: 9092, rack: 'r1' }, { nodeId: 2, host: 'broker-2', port: 9093, rack: null }],
      clusterId: 'cluster-a',
      controllerId: 2,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          isInternal: false,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: [2] }],
        },
      ],
    })
    const decoded = await kafkajsResponse('metadata', v, bytes)
    expect(decoded.brokers.map((b: Any) => [b.nodeId, b.host, b.port])).toEqual([
      [1, 'broker-1', 9092],
      [2, 'broker-2', 9093],
    ])
    if (v >= 1) expect([decoded.brokers[0].rack, decoded.brokers[1].rack, decoded.controllerId]).toEqual(['r1', null, 2])
    if (v >= 2) expect(decoded.clusterId).toBe('cluster-a')
    if (v >= 3) expect(v >= 6 ? decoded.clientSideThrottleTime : decoded.throttleTime).toBe(25)
    const topic = decoded.topicMetadata[0]
    expect([topic.topicErrorCode, topic.topic]).toEqual([0, 'orders'])
    const p = topic.partitionMetadata[0]
    expect([p.partitionErrorCode, p.partitionId, p.leader, p.replicas, p.isr]).toEqual([0, 0, 1, [1, 2], [1]])
    if (v >= 5) expect(p.offlineReplicas).toEqual([2])
  })
})

describe('kafkajs cross-check: Produce', () => {
  it.each([3, 4, 5, 6, 7])('request v%i: the envelope around kafkajs\'s RecordBatch decodes and re-encodes identically', async (v) => {
    const args = {
      acks: -1,
      timeout: 30000,
      transactionalId: v >= 3 ? 'tx-1' : undefined,
      topicData: [{ topic: 'orders', partitions: [{ partition: 2, messages: MESSAGES.map((m) => ({ ...m, timestamp: 1_700_000_000_000 })) }] }],
    }
    const bytes = await kafkajsRequest('produce', v, args)
    const decoded = decodeOurRequest(ProduceApi, v, bytes)
    expect([decoded.transactionalId, decoded.acks, decoded.timeoutMs]).toEqual(['tx-1', -1, 30000])
    const partition = decoded.topicData[0]!.partitionData[0]!
    expect([decoded.topicData[0]!.name, partition.index]).toEqual(['orders', 2])
    // The records field holds exactly the batch kafkajs wrote: its own decoder reads the messages back from it.
    expect(await kafkajsRecords(partition.records!)).toEqual(MESSAGES)
    expect(ourRequest(ProduceApi, v, decoded).toString('hex')).toBe(bytes.toString('hex'))
  })

  it.each([0, 1, 2])('request v%i: the envelope around kafkajs\'s MessageSet re-encodes identically', async (v) => {
    const args = { acks: 1, timeout: 1000, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'a', value: 'b', timestamp: 1_700_000_000_000 }] }] }] }
    const bytes = await kafkajsRequest('produce', v, args)
    const decoded = decodeOurRequest(ProduceApi, v, bytes)
    expect([decoded.acks, decoded.timeoutMs, decoded.topicData[0]!.name]).toEqual([1, 1000, 't'])
    expect(decoded.topicData[0]!.partitionData[0]!.records!.length).toBeGreaterThan(20)
    expect(ourRequest(ProduceApi, v, decoded).toString('hex')).toBe(bytes.toString('hex'))
  })

  it.each([0, 1, 2, 3, 5, 7])('response v%i: kafkajs decodes what we encode', async (v) => {
    const bytes = ourResponse(ProduceApi, v, {
      responses: [{ name: 'orders', partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 1234567890123n, logAppendTimeMs: 1_700_000_000_000n, logStartOffset: 7n }] }],
      throttleTimeMs: 10,
    })
    const decoded = await kafkajsResponse('produce', v, bytes)
    const topic = decoded.topics[0]
    const p = topic.partitions[0]
    // kafkajs names the base offset `offset` and the append time `timestamp` before v3.
    expect([topic.topicName, p.partition, p.errorCode, v >= 3 ? p.baseOffset : p.offset]).toEqual(['orders', 2, 0, '1234567890123'])
    if (v >= 2) expect(v >= 3 ? p.logAppendTime : p.timestamp).toBe('1700000000000')
    if (v >= 5) expect(p.logStartOffset).toBe('7')
    if (v >= 1) expect(v >= 6 ? decoded.clientSideThrottleTime : decoded.throttleTime).toBe(10)
  })
})

describe('kafkajs cross-check: Fetch', () => {
  it.each([4, 5, 7, 9, 11])('request v%i: same bytes both ways', async (v) => {
    const args = {
      replicaId: -1,
      maxWaitTime: 500,
      minBytes: 1,
      maxBytes: 10485760,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      rackId: 'rack-a',
      topics: [{ topic: 'orders', partitions: [{ partition: 3, currentLeaderEpoch: 4, fetchOffset: '9007199254740993', logStartOffset: '-1', maxBytes: 1048576 }] }],
      forgottenTopics: [],
    }
    const bytes = await kafkajsRequest('fetch', v, args)
    const ours: Input<(typeof FetchApi extends ApiDefinition<infer R, unknown> ? R : never)> = {
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 10485760,
      isolationLevel: 1,
      rackId: v >= 11 ? 'rack-a' : '',
      topics: [{ topic: 'orders', partitions: [{ partition: 3, currentLeaderEpoch: v >= 9 ? 4 : -1, fetchOffset: 9007199254740993n, logStartOffset: -1n, partitionMaxBytes: 1048576 }] }],
    }
    expect(ourRequest(FetchApi, v, ours).toString('hex')).toBe(bytes.toString('hex'))
    const decoded = decodeOurRequest(FetchApi, v, bytes)
    expect([decoded.maxWaitMs, decoded.minBytes, decoded.maxBytes, decoded.isolationLevel]).toEqual([500, 1, 10485760, 1])
    expect(decoded.topics[0]!.partitions[0]!.fetchOffset).toBe(9007199254740993n)
  })

  it.each([4, 5, 7, 11])('response v%i: kafkajs decodes what we encode, records included', async (v) => {
    const records = await kafkajsRecordBatch(MESSAGES, 100)
    const bytes = ourResponse(FetchApi, v, {
      throttleTimeMs: 0,
      errorCode: 0,
      // The session id is not ignorable: before v7 a non-default value is an encoding error.
      sessionId: v >= 7 ? 77 : 0,
      responses: [
        {
          topic: 'orders',
          partitions: [
            {
              partitionIndex: 3,
              errorCode: 0,
              highWatermark: 102n,
              lastStableOffset: 101n,
              logStartOffset: 5n,
              abortedTransactions: [{ producerId: 9n, firstOffset: 50n }],
              preferredReadReplica: v >= 11 ? 2 : -1,
              records,
            },
          ],
        },
      ],
    })
    const decoded = await kafkajsResponse('fetch', v, bytes)
    if (v >= 7) expect([decoded.errorCode, decoded.sessionId]).toEqual([0, 77])
    const topic = decoded.responses[0]
    const p = topic.partitions[0]
    expect([topic.topicName, p.partition, p.errorCode, p.highWatermark, p.lastStableOffset]).toEqual(['orders', 3, 0, '102', '101'])
    expect(p.abortedTransactions).toEqual([{ producerId: '9', firstOffset: '50' }])
    if (v >= 11) expect(p.preferredReadReplica).toBe(2)
    expect(p.messages.map((m: Any) => [m.offset, m.key.toString(), m.value.toString()])).toEqual([
      ['100', 'k1', 'hello'],
      ['101', 'k2', 'wörld'],
    ])
  })
})

describe('kafkajs cross-check: JoinGroup', () => {
  const protocols = [
    { name: 'range', metadata: Buffer.from([0, 1, 0, 0, 0, 1, 0, 6]) },
    { name: 'roundrobin', metadata: Buffer.from([0, 1]) },
  ]

  it.each([0, 1, 2, 3, 4, 5])('request v%i: same bytes both ways', async (v) => {
    const args = { groupId: 'billing', sessionTimeout: 30000, rebalanceTimeout: 60000, memberId: 'm-1', groupInstanceId: 'i-1', protocolType: 'consumer', groupProtocols: protocols }
    const bytes = await kafkajsRequest('joinGroup', v, args)
    const ours = {
      groupId: 'billing',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: v >= 1 ? 60000 : -1,
      memberId: 'm-1',
      groupInstanceId: v >= 5 ? 'i-1' : null,
      protocolType: 'consumer',
      protocols,
    }
    expect(ourRequest(JoinGroupApi, v, ours).toString('hex')).toBe(bytes.toString('hex'))
    const decoded = decodeOurRequest(JoinGroupApi, v, bytes)
    expect(decoded).toMatchObject({ ...ours, protocols: protocols.map((p) => ({ name: p.name, metadata: p.metadata })) })
  })

  it.each([0, 1, 2, 3, 4, 5])('response v%i: kafkajs decodes what we encode', async (v) => {
    const bytes = ourResponse(JoinGroupApi, v, {
      throttleTimeMs: 15,
      errorCode: 0,
      generationId: 3,
      protocolName: 'range',
      leader: 'm-1',
      memberId: 'm-2',
      members: [{ memberId: 'm-1', groupInstanceId: v >= 5 ? 'i-1' : null, metadata: Buffer.from([1, 2, 3]) }],
    })
    const decoded = await kafkajsResponse('joinGroup', v, bytes)
    expect([decoded.errorCode, decoded.generationId, decoded.groupProtocol, decoded.leaderId, decoded.memberId]).toEqual([0, 3, 'range', 'm-1', 'm-2'])
    expect(decoded.members[0].memberId).toBe('m-1')
    expect([...decoded.members[0].memberMetadata]).toEqual([1, 2, 3])
    if (v >= 5) expect(decoded.members[0].groupInstanceId).toBe('i-1')
    if (v >= 2) expect(v >= 3 ? decoded.clientSideThrottleTime : decoded.throttleTime).toBe(15)
  })
})

describe('kafkajs cross-check: SyncGroup', () => {
  it.each([0, 1, 2, 3])('request v%i: same bytes both ways', async (v) => {
    const groupAssignment = [{ memberId: 'm-1', memberAssignment: Buffer.from([0, 1, 2]) }, { memberId: 'm-2', memberAssignment: Buffer.alloc(0) }]
    const bytes = await kafkajsRequest('syncGroup', v, { groupId: 'billing', generationId: 3, memberId: 'm-1', groupInstanceId: 'i-1', groupAssignment })
    const ours = {
      groupId: 'billing',
      generationId: 3,
      memberId: 'm-1',
      groupInstanceId: v >= 3 ? 'i-1' : null,
      assignments: groupAssignment.map((a) => ({ memberId: a.memberId, assignment: a.memberAssignment })),
    }
    expect(ourRequest(SyncGroupApi, v, ours).toString('hex')).toBe(bytes.toString('hex'))
    expect(decodeOurRequest(SyncGroupApi, v, bytes)).toMatchObject(ours)
  })

  it.each([0, 1, 2, 3])('response v%i: kafkajs decodes what we encode', async (v) => {
    const bytes = ourResponse(SyncGroupApi, v, { throttleTimeMs: 5, errorCode: 0, assignment: Buffer.from([9, 8, 7]) })
    const decoded = await kafkajsResponse('syncGroup', v, bytes)
    expect(decoded.errorCode).toBe(0)
    expect([...decoded.memberAssignment]).toEqual([9, 8, 7])
    if (v >= 1) expect(v >= 2 ? decoded.clientSideThrottleTime : decoded.throttleTime).toBe(5)
  })
})

describe('kafkajs cross-check: OffsetCommit', () => {
  it.each([0, 1, 2, 3, 4, 5])('request v%i: same bytes both ways', async (v) => {
    const args = {
      groupId: 'billing',
      groupGenerationId: 3,
      memberId: 'm-1',
      retentionTime: 86400000,
      topics: [{ topic: 'orders', partitions: [{ partition: 1, offset: '42', timestamp: 1_700_000_000_000, metadata: 'meta' }, { partition: 2, offset: '7' }] }],
    }
    const bytes = await kafkajsRequest('offsetCommit', v, args)
    const ours = {
      groupId: 'billing',
      generationIdOrMemberEpoch: v >= 1 ? 3 : -1,
      memberId: v >= 1 ? 'm-1' : '',
      retentionTimeMs: v >= 2 && v <= 4 ? 86400000n : -1n,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 1, committedOffset: 42n, commitTimestamp: v === 1 ? 1_700_000_000_000n : -1n, committedMetadata: 'meta' },
            { partitionIndex: 2, committedOffset: 7n, commitTimestamp: -1n, committedMetadata: null },
          ],
        },
      ],
    }
    if (v === 1) {
      // kafkajs stamps the second partition with Date.now(); take it from its bytes.
      ours.topics[0]!.partitions[1]!.commitTimestamp = decodeOurRequest(OffsetCommitApi, v, bytes).topics[0]!.partitions[1]!.commitTimestamp
    }
    expect(ourRequest(OffsetCommitApi, v, ours).toString('hex')).toBe(bytes.toString('hex'))
    expect(decodeOurRequest(OffsetCommitApi, v, bytes)).toMatchObject(ours)
  })

  it.each([0, 1, 2, 3, 4, 5])('response v%i: kafkajs decodes what we encode', async (v) => {
    const bytes = ourResponse(OffsetCommitApi, v, { throttleTimeMs: 3, topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, errorCode: 0 }, { partitionIndex: 2, errorCode: 0 }] }] })
    const decoded = await kafkajsResponse('offsetCommit', v, bytes)
    expect(decoded.responses).toEqual([{ topic: 'orders', partitions: [{ partition: 1, errorCode: 0 }, { partition: 2, errorCode: 0 }] }])
    if (v >= 3) expect(v >= 4 ? decoded.clientSideThrottleTime : decoded.throttleTime).toBe(3)
  })
})
