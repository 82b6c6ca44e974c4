import { Admin, silentLogger } from '@tributary/client'
import { randomTopic, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closeAll, consumerFor, newTopic, startBroker } from './helpers.js'

let broker: TestBroker
let admin: Admin
beforeAll(async () => {
  broker = await startBroker()
  admin = new Admin({ bootstrapServers: broker.broker.bootstrapServers, logger: silentLogger })
})
afterEach(closeAll)
afterAll(async () => {
  await admin.close()
  await broker.broker.close()
})

describe('static membership (groupInstanceId)', () => {
  it('a static member closes without LeaveGroup and comes back to its partitions without a rebalance', async () => {
    const topic = await newTopic(broker, 4)
    const groupId = randomTopic('static')
    const options = (id: string) => ({ groupId, groupInstanceId: id, sessionTimeoutMs: 10_000, partitionAssignmentStrategy: ['range' as const] })
    const a = consumerFor(broker, options('instance-a'))
    const b = consumerFor(broker, options('instance-b'))
    await a.subscribe([topic])
    await b.subscribe([topic])
    await waitFor(() => a.assignment().length === 2 && b.assignment().length === 2, { timeoutMs: 15_000, message: '2 partitions each' })
    const before = b.assignment()
    const generation = a.groupMetadata().generationId
    expect(a.groupMetadata().groupInstanceId).toBe('instance-a')

    await b.close()
    // No LeaveGroup: the coordinator still lists the static member, and nothing was rebalanced.
    const [group] = await admin.describeGroups([groupId])
    expect(group!.members.map((m) => m.groupInstanceId).sort()).toEqual(['instance-a', 'instance-b'])
    expect(group!.state).toBe('Stable')
    await new Promise((r) => setTimeout(r, 500))
    expect(a.groupMetadata().generationId).toBe(generation)
    expect(a.assignment()).toHaveLength(2)

    // The same instance comes back: it gets its partitions again, and the others keep theirs.
    const b2 = consumerFor(broker, options('instance-b'))
    await b2.subscribe([topic])
    await waitFor(() => b2.assignment().length === 2, { timeoutMs: 15_000, message: 'b back with its partitions' })
    expect(b2.assignment()).toEqual(before)
    expect(a.groupMetadata().generationId).toBe(generation)
  })
})
