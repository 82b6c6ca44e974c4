import { describe, expect, it } from 'vitest'
import { applyConfigOps } from './config-ops.js'
import { describeTopicConfigs, resolveTopicConfig, validateTopicConfigs } from './topic-config.js'
import { validateTopicName } from './topic-name.js'

describe('topic configs', () => {
  it("resolves Kafka's defaults", () => {
    expect(resolveTopicConfig({})).toEqual({
      cleanupPolicy: { delete: true, compact: false },
      retentionMs: 604800000,
      retentionBytes: -1,
      segmentBytes: 1073741824,
      segmentMs: 604800000,
      maxMessageBytes: 1048588,
      messageTimestampType: 'CreateTime',
      messageTimestampBeforeMaxMs: 9223372036854775807,
      messageTimestampAfterMaxMs: 9223372036854775807,
      flushMessages: 9223372036854775807,
      flushMs: 9223372036854775807,
      minInsyncReplicas: 1,
      deleteRetentionMs: 86400000,
      minCompactionLagMs: 0,
      minCleanableDirtyRatio: 0.5,
      segmentIndexBytes: 10485760,
      indexIntervalBytes: 4096,
    })
  })

  it('takes topic overrides over broker defaults over Kafka defaults', () => {
    const c = resolveTopicConfig({ 'retention.ms': '1000', 'cleanup.policy': 'compact,delete' }, { 'retention.ms': '5', 'segment.bytes': '2048' })
    expect(c.retentionMs).toBe(1000)
    expect(c.segmentBytes).toBe(2048)
    expect(c.cleanupPolicy).toEqual({ delete: true, compact: true })
  })

  it.each([
    [{ 'retention.ms': 'soon' }, /Invalid value "soon" for config retention.ms: expected an integer >= -1/],
    [{ 'segment.bytes': '10' }, /Invalid value "10" for config segment.bytes: expected an integer from 14 to 2147483647/],
    [{ 'segment.bytes': '4294967296' }, /config segment.bytes/],
    [{ 'cleanup.policy': 'shred' }, /config cleanup.policy: expected a list of "delete" and\/or "compact"/],
    [{ 'message.timestamp.type': 'Now' }, /"CreateTime" or "LogAppendTime"/],
    [{ 'min.cleanable.dirty.ratio': '1.5' }, /a number from 0 to 1/],
    [{ 'preallocate': 'maybe' }, /"true" or "false"/],
    [{ 'compression.type': 'lz4' }, /"producer"/],
    [{ 'retention.hours': '5' }, /Unknown topic config name: retention.hours/],
  ])('rejects %o with INVALID_CONFIG naming key, value and what is allowed', (entries, message) => {
    expect(() => validateTopicConfigs(entries)).toThrowError(message)
    expect(() => validateTopicConfigs(entries)).toThrowError(expect.objectContaining({ code: 'INVALID_CONFIG' }) as Error)
  })

  it('accepts broker names for broker defaults only', () => {
    expect(validateTopicConfigs({ 'log.retention.ms': '10' }, true)).toEqual({ 'retention.ms': '10' })
    expect(() => validateTopicConfigs({ 'log.retention.ms': '10' })).toThrowError(/Unknown topic config name/)
  })

  it('describes every config with its source', () => {
    const entries = describeTopicConfigs({ 'retention.ms': '1' }, { 'segment.bytes': '2048' })
    expect(entries.find((e) => e.name === 'retention.ms')).toMatchObject({ value: '1', source: 'topic', isDefault: false })
    expect(entries.find((e) => e.name === 'segment.bytes')).toMatchObject({ value: '2048', source: 'broker' })
    expect(entries.find((e) => e.name === 'max.message.bytes')).toMatchObject({ value: '1048588', source: 'default', isDefault: true })
  })

  it('applies incremental ops', () => {
    const out = applyConfigOps({ 'retention.ms': '1', 'segment.ms': '5' }, [
      { name: 'retention.ms', op: 'delete' },
      { name: 'cleanup.policy', op: 'append', value: 'compact' },
      { name: 'segment.ms', op: 'set', value: '10' },
    ])
    expect(out).toEqual({ 'cleanup.policy': 'delete,compact', 'segment.ms': '10' })
    expect(applyConfigOps(out, [{ name: 'cleanup.policy', op: 'subtract', value: 'delete' }])['cleanup.policy']).toBe('compact')
    expect(() => applyConfigOps({}, [{ name: 'retention.ms', op: 'append', value: '1' }])).toThrowError(/not a list/)
  })
})

describe('topic names', () => {
  it.each(['orders', 'a.b_c-D9', 'x'.repeat(249)])('accepts %s', (name) => {
    expect(() => validateTopicName(name)).not.toThrow()
  })
  it.each(['', '.', '..', 'x'.repeat(250), 'a/b', 'a b', 'ünïcode', 'a:b'])('rejects %j with INVALID_TOPIC_EXCEPTION', (name) => {
    expect(() => validateTopicName(name)).toThrowError(expect.objectContaining({ code: 'INVALID_TOPIC_EXCEPTION' }) as Error)
  })
})
