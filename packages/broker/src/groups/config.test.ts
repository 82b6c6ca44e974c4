import { KafkaError } from '@tributary/protocol'
import { describe, expect, it } from 'vitest'
import { DEFAULT_GROUP_CONFIG, groupConfigFromSettings } from './config.js'

const settings = (entries: Record<string, string>) => new Map(Object.entries(entries).map(([k, value]) => [k, { value }]))

describe('groupConfigFromSettings', () => {
  it('uses Kafka’s defaults and reads Kafka’s config names', () => {
    expect(groupConfigFromSettings(new Map())).toEqual(DEFAULT_GROUP_CONFIG)
    expect(DEFAULT_GROUP_CONFIG).toMatchObject({ initialRebalanceDelayMs: 3000, offsetsTopicPartitions: 50, offsetsRetentionMs: 7 * 24 * 3_600_000, offsetMetadataMaxBytes: 4096 })
    const c = groupConfigFromSettings(settings({ 'group.initial.rebalance.delay.ms': '0', 'offsets.retention.minutes': '2', 'offsets.topic.num.partitions': '3' }))
    expect(c).toMatchObject({ initialRebalanceDelayMs: 0, offsetsRetentionMs: 120_000, offsetsTopicPartitions: 3 })
  })

  it('names the setting, the value and what is allowed when a value is wrong', () => {
    expect(() => groupConfigFromSettings(settings({ 'group.max.size': 'lots' }))).toThrow(/group\.max\.size.*"lots".*integer from 1/)
    expect(() => groupConfigFromSettings(settings({ 'offsets.topic.num.partitions': '0' }))).toThrow(KafkaError)
    expect(() => groupConfigFromSettings(settings({ 'group.min.session.timeout.ms': '9000', 'group.max.session.timeout.ms': '8000' }))).toThrow(/above group\.max\.session\.timeout\.ms/)
  })
})
