import { OptionsError } from '@tributary/client'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { parseConsumerOptions } from './options.js'

describe('consumer options', () => {
  it("fills in Kafka's defaults (and this client's read_committed / cooperative-sticky)", () => {
    const o = parseConsumerOptions({ bootstrapServers: 'localhost:9092' })
    expect(o).toMatchObject({
      autoOffsetReset: 'latest',
      enableAutoCommit: true,
      autoCommitIntervalMs: 5_000,
      sessionTimeoutMs: 45_000,
      heartbeatIntervalMs: 3_000,
      maxPollIntervalMs: 300_000,
      rebalanceTimeoutMs: 300_000,
      partitionAssignmentStrategy: ['cooperative-sticky', 'range'],
      isolationLevel: 'read_committed',
      fetchMinBytes: 1,
      fetchMaxWaitMs: 500,
      fetchMaxBytes: 52_428_800,
      maxPartitionFetchBytes: 1_048_576,
      maxPollRecords: 500,
      maxBufferedBytes: 52_428_800,
    })
  })

  it('names every invalid option, its value and what is allowed', () => {
    const error = (() => {
      try {
        parseConsumerOptions({ bootstrapServers: 'localhost:9092', autoOffsetReset: 'smallest', maxPollRecords: 0, isolationLevel: 'dirty', groupID: 'x' })
      } catch (err) {
        return err
      }
    })() as OptionsError
    expect(error).toBeInstanceOf(OptionsError)
    expect(error.message).toContain('autoOffsetReset is "smallest": expected one of "earliest", "latest", "none"')
    expect(error.message).toContain('maxPollRecords is 0: expected a number >= 1')
    expect(error.message).toContain('isolationLevel is "dirty"')
    expect(error.message).toContain('unknown option "groupID" (did you mean "groupId"?)')
  })

  it('checks options against each other', () => {
    expect(() => parseConsumerOptions({ bootstrapServers: 'h:1', sessionTimeoutMs: 1000, heartbeatIntervalMs: 1000 })).toThrow(/heartbeatIntervalMs.*lower than sessionTimeoutMs/)
    expect(() => parseConsumerOptions({ bootstrapServers: 'h:1', groupInstanceId: 'a' })).toThrow(/groupInstanceId.*needs a groupId/)
    expect(() => parseConsumerOptions({ bootstrapServers: 'h:1', partitionAssignmentStrategy: ['range', 'range'] })).toThrow(/lists "range" twice/)
    expect(() => parseConsumerOptions({ bootstrapServers: 'h:1', partitionAssignmentStrategy: ['fancy'] })).toThrow(/expected "range", "roundrobin"/)
  })
})

describe('deserializer typing', () => {
  it('infers record key and value types from the deserializers', async () => {
    const { Consumer } = await import('./consumer.js')
    const { jsonSerde, stringSerde } = await import('@tributary/client')
    const consumer = new Consumer({ bootstrapServers: 'localhost:1', valueDeserializer: jsonSerde<{ amount: number }>(), keyDeserializer: stringSerde() })
    type Rec = Parameters<NonNullable<Parameters<typeof consumer.run>[0]['eachMessage']>>[0]['record']
    expectTypeOf<Rec['value']>().toEqualTypeOf<{ amount: number } | null>()
    expectTypeOf<Rec['key']>().toEqualTypeOf<string | null>()
    const plain = new Consumer({ bootstrapServers: 'localhost:1' })
    type Plain = Parameters<NonNullable<Parameters<typeof plain.run>[0]['eachMessage']>>[0]['record']
    expectTypeOf<Plain['value']>().toEqualTypeOf<Buffer | null>()
    await consumer.close()
    await plain.close()
  })
})
