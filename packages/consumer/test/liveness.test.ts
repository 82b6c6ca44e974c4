import { Admin, silentLogger } from '@tributary/client'
import { randomTopic, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { TopicPartition } from '../src/index.js'
import { closeAll, consumerFor, newTopic, produceValues, startBroker } from './helpers.js'

let broker: TestBroker
beforeAll(async () => {
  broker = await startBroker()
})
afterEach(closeAll)
afterAll(() => broker.broker.close())

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('liveness', () => {
  it('a handler slower than sessionTimeoutMs but within maxPollIntervalMs keeps its membership', async () => {
    const topic = await newTopic(broker, 2)
    await produceValues(broker, topic, [0, 1], 1)
    const groupId = randomTopic('g')
    const options = { groupId, sessionTimeoutMs: 1_000, heartbeatIntervalMs: 200, maxPollIntervalMs: 15_000, autoOffsetReset: 'earliest' as const }
    const slow = consumerFor(broker, options)
    const other = consumerFor(broker, options)
    await slow.subscribe([topic])
    await other.subscribe([topic])
    await waitFor(() => slow.assignment().length === 1 && other.assignment().length === 1, { message: 'one partition each' })
    const before = slow.groupMetadata()
    let handled = 0
    const running = slow.run({
      eachMessage: async () => {
        await sleep(2_500) // 2.5 session timeouts
        handled++
      },
    })
    await waitFor(() => handled >= 1, { timeoutMs: 10_000, message: 'the slow record handled' })
    // The coordinator's view: still both members, in the same generation (a session expiry would have
    // removed the slow member and rebalanced).
    const admin = new Admin({ bootstrapServers: broker.broker.bootstrapServers, logger: silentLogger })
    const [group] = await admin.describeGroups([groupId])
    await admin.close()
    expect(group!.state).toBe('Stable')
    expect(group!.members.map((m) => m.memberId).sort()).toEqual([before.memberId, other.groupMetadata().memberId].sort())
    const after = slow.groupMetadata()
    expect(after.generationId).toBe(before.generationId)
    expect(after.memberId).toBe(before.memberId)
    expect(other.groupMetadata().generationId).toBe(before.generationId)
    expect(slow.assignment()).toHaveLength(1)
    await slow.close()
    await running
  })

  it('a slow handler during an eager rebalance: heartbeats go on while it finishes, so the member is not lost', async () => {
    const topic = await newTopic(broker, 2)
    await produceValues(broker, topic, [0, 1], 1)
    const groupId = randomTopic('g')
    const options = { groupId, sessionTimeoutMs: 1_000, heartbeatIntervalMs: 200, maxPollIntervalMs: 15_000, partitionAssignmentStrategy: ['range' as const], autoOffsetReset: 'earliest' as const }
    const lost: TopicPartition[][] = []
    const slow = consumerFor(broker, options)
    await slow.subscribe([topic], { onPartitionsLost: (tps) => void lost.push(tps) })
    await waitFor(() => slow.assignment().length === 2, { message: 'slow owns both partitions' })
    const memberId = slow.groupMetadata().memberId
    let started = false
    const running = slow.run({
      eachMessage: async () => {
        started = true
        await sleep(2_500)
      },
    })
    await waitFor(() => started, { message: 'the slow handler started' })
    const joiner = consumerFor(broker, options)
    await joiner.subscribe([topic])
    // The rebalance waits for the slow handler (2.5 session timeouts), then completes with both members.
    await waitFor(() => slow.assignment().length === 1 && joiner.assignment().length === 1, { timeoutMs: 15_000, message: 'one partition each' })
    expect(slow.groupMetadata().memberId).toBe(memberId)
    expect(lost).toEqual([])
    await closeAll()
    await running
  })

  it('a handler exceeding maxPollIntervalMs makes the member leave; another takes over; it rejoins after', async () => {
    const topic = await newTopic(broker, 1)
    await produceValues(broker, topic, [0], 5)
    const groupId = randomTopic('g')
    const options = { groupId, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 200, maxPollIntervalMs: 1_500, autoOffsetReset: 'earliest' as const }
    const lost: TopicPartition[][] = []
    const stuck = consumerFor(broker, options)
    await stuck.subscribe([topic], { onPartitionsLost: (tps) => void lost.push(tps) })
    await waitFor(() => stuck.assignment().length === 1, { message: 'stuck owns the partition' })
    const firstGeneration = stuck.groupMetadata().generationId
    const standby = consumerFor(broker, options)
    await standby.subscribe([topic])
    await waitFor(() => stuck.groupMetadata().generationId > firstGeneration && stuck.assignment().length + standby.assignment().length === 1, {
      message: 'two-member generation',
    })
    const owner = stuck.assignment().length === 1 ? stuck : standby
    const idle = owner === stuck ? standby : stuck
    const idleSeen: bigint[] = []
    const idleRun = idle.run({ eachMessage: ({ record }) => void idleSeen.push(record.offset) })
    let release!: () => void
    const ownerRun = owner.run({ eachMessage: () => new Promise<void>((r) => (release = r)) })
    // The owner is stuck in its first record: past maxPollIntervalMs it leaves, the other member takes over.
    await waitFor(() => idle.assignment().length === 1, { timeoutMs: 10_000, message: 'takeover after the poll timeout' })
    await waitFor(() => idleSeen.length >= 5, { message: 'the records consumed by the new owner' })
    expect(idleSeen[0]).toBe(0n)
    // The stuck member's partition counts as lost once its handler returns.
    release()
    await waitFor(() => owner.assignment().length === 0, { message: 'the stuck member gave the partition up' })
    await waitFor(() => owner.groupMetadata().generationId > 0 && owner.groupMetadata().memberId !== '', { timeoutMs: 10_000, message: 'the stuck member rejoined' })
    if (owner === stuck) expect(lost.length).toBe(1)
    await closeAll()
    await Promise.all([idleRun, ownerRun])
  })
})
