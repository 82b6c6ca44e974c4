import type { ConfigOp } from '../log/config-ops.js'
import { logError } from '../log/errors.js'
import { TOPIC_CONFIG_DEFINITIONS, describeTopicConfigs, type ConfigEntry } from '../log/topic-config.js'
import { BROKER_SETTINGS } from '../options.js'
import type { BrokerContext } from './broker-context.js'

/**
 * Configs as DescribeConfigs, CreateTopics (v5+) and the alter APIs see them: topic configs with
 * their sources, and the broker resource's configs (topic defaults under their broker names, plus
 * the start-up settings, which are read-only).
 */

/** Kafka's config sources (DescribeConfigs v1+). */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const

/** Kafka's config types (DescribeConfigs v3+). */
const ConfigType: Record<string, number> = { boolean: 1, string: 2, int: 3, long: 5, double: 6, list: 7 }

/** Kafka's config resource types. */
export const ResourceType = { TOPIC: 2, BROKER: 4 } as const

/** One config as described to a client. */
export interface DescribedConfig {
  name: string
  value: string
  source: number
  readOnly: boolean
  /** Kafka's config type code. */
  type: number
  documentation: string
  /** Where the value could come from, most specific first. */
  synonyms: { name: string; value: string; source: number }[]
}

function brokerSource(broker: BrokerContext, topicConfigName: string): number {
  const effective = broker.logs.brokerDefaults()[topicConfigName]
  if (effective === undefined) return ConfigSource.DEFAULT_CONFIG
  return effective === broker.options.topicDefaults[topicConfigName] ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG
}

function describeEntry(broker: BrokerContext, e: ConfigEntry): DescribedConfig {
  const def = TOPIC_CONFIG_DEFINITIONS.get(e.name)!
  const fromBroker = brokerSource(broker, e.name)
  const source = e.source === 'topic' ? ConfigSource.DYNAMIC_TOPIC_CONFIG : fromBroker
  const synonyms: DescribedConfig['synonyms'] = []
  if (e.source === 'topic') synonyms.push({ name: e.name, value: e.value, source })
  if (def.brokerSynonym) {
    const brokerValue = broker.logs.brokerDefaults()[e.name]
    if (brokerValue !== undefined) synonyms.push({ name: def.brokerSynonym, value: brokerValue, source: fromBroker })
    synonyms.push({ name: def.brokerSynonym, value: def.default, source: ConfigSource.DEFAULT_CONFIG })
  }
  return { name: e.name, value: e.value, source, readOnly: e.readOnly, type: ConfigType[e.type] ?? 0, documentation: e.documentation, synonyms }
}

/** A topic's configs. @throws KafkaError `UNKNOWN_TOPIC_OR_PARTITION`. */
export function describeTopic(broker: BrokerContext, topic: string): DescribedConfig[] {
  return broker.logs.describeTopicConfigs(topic).map((e) => describeEntry(broker, e))
}

/** The configs a topic with these overrides has (CreateTopics answers them, also when only validating). */
export function describeOverrides(broker: BrokerContext, overrides: Record<string, string>): DescribedConfig[] {
  return describeTopicConfigs(overrides, broker.logs.brokerDefaults()).map((e) => describeEntry(broker, e))
}

/**
 * The broker resource. `defaultsOnly` (resource name "") gives only the cluster-wide dynamic
 * defaults, as Kafka does.
 */
export function describeBroker(broker: BrokerContext, defaultsOnly: boolean): DescribedConfig[] {
  const defaults = broker.logs.brokerDefaults()
  const out: DescribedConfig[] = []
  for (const def of TOPIC_CONFIG_DEFINITIONS.values()) {
    if (!def.brokerSynonym) continue
    const source = brokerSource(broker, def.name)
    const value = defaults[def.name] ?? def.default
    const synonyms = [{ name: def.brokerSynonym, value, source }]
    if (source !== ConfigSource.DEFAULT_CONFIG) synonyms.push({ name: def.brokerSynonym, value: def.default, source: ConfigSource.DEFAULT_CONFIG })
    out.push({ name: def.brokerSynonym, value, source, readOnly: false, type: ConfigType[def.type] ?? 0, documentation: def.documentation, synonyms })
  }
  if (!defaultsOnly) {
    for (const s of BROKER_SETTINGS.values()) {
      const { value, explicit } = broker.options.settings.get(s.name)!
      const source = explicit ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG
      out.push({ name: s.name, value, source, readOnly: true, type: ConfigType[s.type] ?? 0, documentation: s.documentation, synonyms: [{ name: s.name, value, source }] })
    }
  }
  out.sort((a, b) => a.name.localeCompare(b.name))
  return defaultsOnly ? out.filter((c) => c.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG) : out
}

/**
 * Checks a broker resource name: `""` addresses the cluster-wide defaults, this node's id the broker
 * itself; both change the same topic defaults on a one-broker cluster. Returns whether it is `""`.
 *
 * @throws KafkaError `INVALID_REQUEST` for another broker's id.
 */
export function checkBrokerResource(broker: BrokerContext, name: string): boolean {
  if (name === '') return true
  if (name === String(broker.nodeId)) return false
  throw logError('INVALID_REQUEST', `Broker ${JSON.stringify(name)} is not this broker (node ${broker.nodeId}); use "${broker.nodeId}" or "" for the cluster default`)
}

/**
 * Changes broker-level topic defaults (AlterConfigs with `replace`, IncrementalAlterConfigs without).
 * Start-up settings cannot change at runtime.
 *
 * @throws KafkaError `INVALID_REQUEST` for a read-only setting, `INVALID_CONFIG` as the log manager does.
 */
export function alterBroker(broker: BrokerContext, ops: readonly ConfigOp[], options: { replace: boolean; validateOnly: boolean }): void {
  const readOnly = ops.map((o) => o.name).filter((n) => BROKER_SETTINGS.has(n) || n === 'broker.id' || n === 'log.dir')
  if (readOnly.length > 0) throw logError('INVALID_REQUEST', `Cannot update these configs dynamically: ${readOnly.join(', ')}`)
  const clear: ConfigOp[] = options.replace ? [...TOPIC_CONFIG_DEFINITIONS.keys()].map((name) => ({ name, op: 'delete' })) : []
  broker.logs.alterBrokerDefaults([...clear, ...ops], { validateOnly: options.validateOnly })
  if (!options.validateOnly) broker.logger.info(`changed broker config defaults: ${describeOps(ops)}`)
}

/** `name=value, -name` for a log line. */
export function describeOps(ops: readonly ConfigOp[]): string {
  if (ops.length === 0) return 'none'
  return ops.map((o) => (o.op === 'delete' ? `-${o.name}` : o.op === 'set' ? `${o.name}=${o.value}` : `${o.name} ${o.op} ${o.value}`)).join(', ')
}
