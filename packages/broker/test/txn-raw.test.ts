import {
  AddOffsetsToTxnApi,
  AddPartitionsToTxnApi,
  DescribeProducersApi,
  DescribeTransactionsApi,
  EndTxnApi,
  ErrorCode,
  InitProducerIdApi,
  ListTransactionsApi,
  ProduceApi,
  WriteTxnMarkersApi,
} from '@tributary/protocol'
import { RawClient, createTopic, randomTopic, startTestBroker, textBatch, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawTxnProducer, TXN_TEST_CONFIGS, readPartition } from './txn-helpers.js'

describe('the transaction coordinator (raw requests)', () => {
  let t: TestBroker
  let client: RawClient
  beforeAll(async () => {
    t = await startTestBroker({ configs: TXN_TEST_CONFIGS })
    client = await RawClient.connect(t.broker.port)
  })
  afterAll(async () => {
    await client.close()
    await t.broker.close()
  })

  const describeTxn = async (id: string) => (await client.request(DescribeTransactionsApi, 0, { transactionalIds: [id] })).transactionStates[0]!

  it('validates InitProducerId: empty id, timeout range, and KIP-360 epoch bumps', async () => {
    const init = (transactionalId: string | null, transactionTimeoutMs: number, producerId = -1n, producerEpoch = -1) =>
      client.request(InitProducerIdApi, 4, { transactionalId, transactionTimeoutMs, producerId, producerEpoch })
    expect((await init('', 1000)).errorCode).toBe(ErrorCode.INVALID_REQUEST)
    expect((await init('too-long', 900_001)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT)
    expect((await init('zero', 0)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT)
    const id = `kip360-${randomTopic()}`
    const first = await init(id, 60_000)
    expect(first).toMatchObject({ errorCode: 0, producerEpoch: 0 })
    const bumped = await init(id, 60_000, first.producerId, 0)
    expect(bumped).toMatchObject({ errorCode: 0, producerId: first.producerId, producerEpoch: 1 })
    // A retry of that bump (its answer was lost) gets the same epoch; an older one is fenced.
    expect(await init(id, 60_000, first.producerId, 0)).toMatchObject({ errorCode: 0, producerEpoch: 1 })
    const other = await init(id, 60_000)
    expect(other).toMatchObject({ errorCode: 0, producerEpoch: 2 })
    expect((await init(id, 60_000, first.producerId, 1)).errorCode).toBe(ErrorCode.PRODUCER_FENCED)
    expect((await client.request(InitProducerIdApi, 3, { transactionalId: id, transactionTimeoutMs: 60_000, producerId: first.producerId, producerEpoch: 0 })).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    expect((await init(id, 60_000, 123_456_789n, 2)).errorCode).toBe(ErrorCode.PRODUCER_FENCED)
  })

  it('refuses transactional writes to partitions not added, and plain writes while a transaction is open', async () => {
    const topic = randomTopic('txn-verify')
    await createTopic(client, topic, 2)
    const p = await RawTxnProducer.init(client, `tx-${topic}`)
    expect((await p.produce(topic, 0, ['early'])).errorCode).toBe(ErrorCode.INVALID_TXN_STATE)
    expect(await p.addPartitions(topic, [0])).toEqual([0])
    expect((await p.produce(topic, 0, ['in'])).errorCode).toBe(0)
    expect((await p.produce(topic, 1, ['not-added'])).errorCode).toBe(ErrorCode.INVALID_TXN_STATE)
    const plain = textBatch([{ value: 'plain' }], { producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence: 1 })
    const res = await client.request(ProduceApi, 9, { acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: plain }] }] })
    expect(res.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.INVALID_TXN_STATE)
    const producers = await client.request(DescribeProducersApi, 0, { topics: [{ name: topic, partitionIndexes: [0] }] })
    expect(producers.topics[0]!.partitions[0]!.activeProducers).toEqual([expect.objectContaining({ producerId: p.producerId, currentTxnStartOffset: 0n, lastSequence: 0 })])
    expect(await p.end(true)).toBe(0)
    expect((await p.produce(topic, 0, ['after-commit'])).errorCode).toBe(ErrorCode.INVALID_TXN_STATE)
    expect((await readPartition(client, topic, 0, 1)).values.map((v) => v.value)).toEqual(['in'])
  })

  it('answers AddPartitionsToTxn per partition and per producer, in both request forms', async () => {
    const topic = randomTopic('txn-add')
    await createTopic(client, topic, 2)
    const p = await RawTxnProducer.init(client, `tx-${topic}`)
    const unknown = await client.request(AddPartitionsToTxnApi, 3, {
      v3AndBelowTransactionalId: p.transactionalId,
      v3AndBelowProducerId: p.producerId,
      v3AndBelowProducerEpoch: p.producerEpoch,
      v3AndBelowTopics: [{ name: topic, partitions: [0, 5] }],
    })
    expect(unknown.resultsByTopicV3AndBelow[0]!.resultsByPartition.map((r) => r.partitionErrorCode)).toEqual([ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
    const wrongEpoch = (version: number) =>
      client.request(AddPartitionsToTxnApi, version, {
        v3AndBelowTransactionalId: p.transactionalId,
        v3AndBelowProducerId: p.producerId,
        v3AndBelowProducerEpoch: p.producerEpoch + 5,
        v3AndBelowTopics: [{ name: topic, partitions: [0] }],
      })
    expect((await wrongEpoch(1)).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    expect((await wrongEpoch(2)).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(ErrorCode.PRODUCER_FENCED)
    expect(await p.addPartitions(topic, [1])).toEqual([0])

    const batched = await client.request(AddPartitionsToTxnApi, 4, {
      transactions: [
        { transactionalId: p.transactionalId, producerId: p.producerId, producerEpoch: p.producerEpoch, verifyOnly: true, topics: [{ name: topic, partitions: [0, 1] }] },
        { transactionalId: 'nobody', producerId: 1n, producerEpoch: 0, verifyOnly: false, topics: [{ name: topic, partitions: [0] }] },
      ],
    })
    expect(batched.errorCode).toBe(0)
    const [mine, nobody] = batched.resultsByTransaction
    expect(mine!.topicResults[0]!.resultsByPartition.map((r) => r.partitionErrorCode)).toEqual([ErrorCode.TRANSACTION_ABORTABLE, 0])
    expect(nobody!.topicResults[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING)

    const d = await describeTxn(p.transactionalId)
    expect(d).toMatchObject({ errorCode: 0, transactionState: 'Ongoing', producerId: p.producerId, producerEpoch: p.producerEpoch, transactionTimeoutMs: 60_000 })
    expect(d.topics).toEqual([expect.objectContaining({ topic, partitions: [1] })])
    expect(Number(d.transactionStartTimeMs)).toBeGreaterThan(0)
    expect((await describeTxn('nobody-at-all')).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND)
    expect(await p.end(false)).toBe(0)
  })

  it('runs EndTxn through the state machine: retries are answered, wrong transitions refused', async () => {
    const topic = randomTopic('txn-end')
    await createTopic(client, topic)
    const p = await RawTxnProducer.init(client, `tx-${topic}`)
    expect(await p.end(true)).toBe(ErrorCode.INVALID_TXN_STATE)
    await p.addPartitions(topic, [0])
    await p.produce(topic, 0, ['x'])
    expect(await p.end(true)).toBe(0)
    expect((await describeTxn(p.transactionalId)).transactionState).toBe('CompleteCommit')
    expect(await p.end(true)).toBe(0)
    expect(await p.end(false)).toBe(ErrorCode.INVALID_TXN_STATE)
    const endAs = (version: number, producerId: bigint, producerEpoch: number) =>
      client.request(EndTxnApi, version, { transactionalId: p.transactionalId, producerId, producerEpoch, committed: true })
    expect((await endAs(3, p.producerId + 1n, p.producerEpoch)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    expect((await endAs(3, p.producerId, p.producerEpoch + 1)).errorCode).toBe(ErrorCode.PRODUCER_FENCED)
    expect((await endAs(1, p.producerId, p.producerEpoch + 1)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    const v5 = await endAs(5, p.producerId, p.producerEpoch)
    expect(v5).toMatchObject({ errorCode: 0, producerId: p.producerId, producerEpoch: p.producerEpoch })

    const offsets = await client.request(AddOffsetsToTxnApi, 3, { transactionalId: p.transactionalId, producerId: p.producerId, producerEpoch: p.producerEpoch, groupId: 'g-end' })
    expect(offsets.errorCode).toBe(0)
    expect((await describeTxn(p.transactionalId)).topics).toEqual([expect.objectContaining({ topic: '__consumer_offsets' })])
    expect(await p.end(false)).toBe(0)
    expect((await describeTxn(p.transactionalId)).transactionState).toBe('CompleteAbort')
  })

  it('writes markers on request (WriteTxnMarkers), as tools do to end a hanging transaction', async () => {
    const topic = randomTopic('txn-markers')
    await createTopic(client, topic)
    const p = await RawTxnProducer.init(client, `tx-${topic}`)
    await p.addPartitions(topic, [0])
    await p.produce(topic, 0, ['hanging'])
    expect((await readPartition(client, topic, 0, 1)).lastStableOffset).toBe(0)
    const write = (producerEpoch: number, partitionIndexes: number[]) =>
      client.request(WriteTxnMarkersApi, 1, { markers: [{ producerId: p.producerId, producerEpoch, transactionResult: false, coordinatorEpoch: 0, topics: [{ name: topic, partitionIndexes }] }] })
    const res = await write(p.producerEpoch, [0, 3])
    expect(res.markers[0]!.topics[0]!.partitions.map((x) => x.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
    const read = await readPartition(client, topic, 0, 1)
    expect(read).toMatchObject({ values: [], lastStableOffset: 2, aborted: [`${p.producerId}@0`] })
    expect((await write(p.producerEpoch - 1, [0])).markers[0]!.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    expect(await p.end(false)).toBe(0)
  })

  it('aborts a transaction that outlives its timeout and fences its producer', async () => {
    const topic = randomTopic('txn-timeout')
    await createTopic(client, topic)
    const p = await RawTxnProducer.init(client, `tx-${topic}`, 300)
    await p.addPartitions(topic, [0])
    expect((await p.produce(topic, 0, ['late-1'])).errorCode).toBe(0)
    expect((await readPartition(client, topic, 0, 1)).lastStableOffset).toBe(0)
    const listed = await client.request(ListTransactionsApi, 1, { stateFilters: ['Ongoing', 'Sleeping'], producerIdFilters: [p.producerId], durationFilter: -1n })
    expect(listed.unknownStateFilters).toEqual(['Sleeping'])
    expect(listed.transactionStates).toEqual([expect.objectContaining({ transactionalId: p.transactionalId, transactionState: 'Ongoing' })])

    await waitFor(async () => (await describeTxn(p.transactionalId)).transactionState === 'CompleteAbort', { timeoutMs: 5000, message: 'the timed-out transaction to be aborted' })
    expect((await describeTxn(p.transactionalId)).producerEpoch).toBe(p.producerEpoch + 1)
    expect((await p.produce(topic, 0, ['late-2'])).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    expect(await p.end(true)).toBe(ErrorCode.PRODUCER_FENCED)
    const read = await readPartition(client, topic, 0, 1)
    expect(read.values).toEqual([])
    expect(read.lastStableOffset).toBe(2)
    expect(t.log.matching(`exceeded its 300 ms timeout`)).toHaveLength(1)
  })
})
