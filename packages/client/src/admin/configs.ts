import { AlterConfigsApi, DescribeConfigsApi, IncrementalAlterConfigsApi, KafkaError, errorForCode } from '@tributary/protocol'
import type { Cluster } from '../cluster/cluster.js'
import type { Connection } from '../connection/connection.js'
import { settle, type AdminCallOptions, type Outcomes } from './settle.js'

/** The kinds of resource that have configs. */
export type ConfigResourceType = 'topic' | 'broker' | 'broker-logger' | 'client-metrics' | 'group'

const RESOURCE_TYPE: Record<ConfigResourceType, number> = { topic: 2, broker: 4, 'broker-logger': 8, 'client-metrics': 16, group: 32 }
const RESOURCE_NAME = new Map(Object.entries(RESOURCE_TYPE).map(([name, code]) => [code, name as ConfigResourceType]))

/** Where a config value comes from, as Kafka names it. */
export type ConfigSource =
  | 'UNKNOWN'
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG'
  | 'CLIENT_METRICS_CONFIG'
  | 'GROUP_CONFIG'
const SOURCES: ConfigSource[] = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'CLIENT_METRICS_CONFIG',
  'GROUP_CONFIG',
]
const CONFIG_TYPES = ['UNKNOWN', 'BOOLEAN', 'STRING', 'INT', 'SHORT', 'LONG', 'DOUBLE', 'LIST', 'CLASS', 'PASSWORD'] as const

/** A resource whose configs to describe; `keys` limits the answer to those names. */
export interface ConfigResource {
  type: ConfigResourceType
  /** Topic name, broker id (`'1'`; `''` for the cluster-wide broker defaults), group id, … */
  name: string
  keys?: string[]
}

export interface ConfigEntry {
  name: string
  /** Null for sensitive values and for unset ones. */
  value: string | null
  readOnly: boolean
  isDefault: boolean
  isSensitive: boolean
  source: ConfigSource
  synonyms: { name: string; value: string | null; source: ConfigSource }[]
  /** The value's type (DescribeConfigs v3+, with `includeDocumentation`), else 'UNKNOWN'. */
  type: (typeof CONFIG_TYPES)[number]
  documentation: string | null
}

export interface ConfigResourceDescription {
  type: ConfigResourceType
  name: string
  configs: ConfigEntry[]
}

/** One change to one config: set a value, delete it (back to the default), or append to / subtract from a list. */
export interface ConfigOp {
  name: string
  op?: 'set' | 'delete' | 'append' | 'subtract'
  value?: string | null
}

export interface ConfigAlteration {
  type: ConfigResourceType
  name: string
  ops: ConfigOp[]
}

export const resourcePath = (r: { type: ConfigResourceType; name: string }) => `/resources/${r.type}/${r.name}`

/**
 * The connection for a config resource: a specific broker's own configs must be asked of that broker;
 * anything else can go to any broker.
 */
async function connectionFor(cluster: Cluster, r: { type: ConfigResourceType; name: string }): Promise<Connection> {
  if ((r.type === 'broker' || r.type === 'broker-logger') && r.name !== '') return cluster.connectionTo(Number(r.name))
  return cluster.anyConnection()
}

/** Groups resources by the connection key they must use, runs `send` per group in parallel, merges outcomes. */
async function routed<K extends { type: ConfigResourceType; name: string }, R>(
  cluster: Cluster,
  pending: readonly K[],
  send: (conn: Connection, resources: K[]) => Promise<Outcomes<K, R>>,
): Promise<Outcomes<K, R>> {
  const groups = new Map<string, K[]>()
  for (const r of pending) {
    const key = (r.type === 'broker' || r.type === 'broker-logger') && r.name !== '' ? `broker:${r.name}` : 'any'
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  const merged: Outcomes<K, R> = new Map()
  await Promise.all(
    [...groups.values()].map(async (resources) => {
      try {
        const conn = await connectionFor(cluster, resources[0]!)
        for (const [k, v] of await send(conn, resources)) merged.set(k, v)
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err
        for (const r of resources) merged.set(r, err)
      }
    }),
  )
  return merged
}

/** See {@link Admin.describeConfigs}. */
export async function describeConfigs(
  cluster: Cluster,
  resources: readonly ConfigResource[],
  options: AdminCallOptions & { includeSynonyms?: boolean; includeDocumentation?: boolean } = {},
): Promise<ConfigResourceDescription[]> {
  const results = await settle(
    cluster,
    'describeConfigs',
    resources,
    resourcePath,
    (pending) =>
      routed(cluster, pending, async (conn, group) => {
        const version = conn.versionFor(DescribeConfigsApi)
        const response = await conn.request(
          DescribeConfigsApi,
          {
            includeSynonyms: options.includeSynonyms ?? false,
            includeDocumentation: options.includeDocumentation ?? false,
            resources: group.map((r) => ({ resourceType: RESOURCE_TYPE[r.type], resourceName: r.name, configurationKeys: r.keys ?? null })),
          },
          { version },
        )
        const outcomes: Outcomes<ConfigResource, ConfigResourceDescription> = new Map()
        for (const r of group) {
          const result = response.results.find((x) => x.resourceType === RESOURCE_TYPE[r.type] && x.resourceName === r.name)
          if (!result) continue
          const error = errorForCode(result.errorCode, result.errorMessage ?? resourcePath(r))
          outcomes.set(
            r,
            error ?? {
              type: RESOURCE_NAME.get(result.resourceType) ?? r.type,
              name: result.resourceName,
              configs: result.configs.map((c) => {
                const source = version === 0 ? (c.isDefault ? 'DEFAULT_CONFIG' : 'UNKNOWN') : (SOURCES[c.configSource] ?? 'UNKNOWN')
                return {
                  name: c.name,
                  value: c.value,
                  readOnly: c.readOnly,
                  isDefault: version === 0 ? c.isDefault : source === 'DEFAULT_CONFIG',
                  isSensitive: c.isSensitive,
                  source,
                  synonyms: c.synonyms.map((s) => ({ name: s.name, value: s.value, source: SOURCES[s.source] ?? 'UNKNOWN' })),
                  type: CONFIG_TYPES[c.configType] ?? 'UNKNOWN',
                  documentation: c.documentation,
                }
              }),
            },
          )
        }
        return outcomes
      }),
    options,
  )
  return resources.map((r) => results.get(r)!)
}

const OP_CODE = { set: 0, delete: 1, append: 2, subtract: 3 } as const

/** The source that marks a config as explicitly set on this resource (what the legacy AlterConfigs replaces). */
const OWN_SOURCE: Partial<Record<ConfigResourceType, ConfigSource[]>> = {
  topic: ['DYNAMIC_TOPIC_CONFIG'],
  broker: ['DYNAMIC_BROKER_CONFIG', 'DYNAMIC_DEFAULT_BROKER_CONFIG'],
  'broker-logger': ['DYNAMIC_BROKER_LOGGER_CONFIG'],
}

/** See {@link Admin.alterConfigs}. */
export async function alterConfigs(cluster: Cluster, alterations: readonly ConfigAlteration[], options: AdminCallOptions & { validateOnly?: boolean } = {}): Promise<void> {
  const validateOnly = options.validateOnly ?? false
  await settle(
    cluster,
    'alterConfigs',
    alterations,
    resourcePath,
    (pending) =>
      routed(cluster, pending, async (conn, group) => {
        const outcomes: Outcomes<ConfigAlteration, true> = new Map()
        const responses = conn.versions.supports(IncrementalAlterConfigsApi)
          ? (
              await conn.request(IncrementalAlterConfigsApi, {
                validateOnly,
                resources: group.map((a) => ({
                  resourceType: RESOURCE_TYPE[a.type],
                  resourceName: a.name,
                  configs: a.ops.map((o) => ({ name: o.name, configOperation: OP_CODE[o.op ?? 'set'], value: o.op === 'delete' ? null : (o.value ?? null) })),
                })),
              })
            ).responses
          : (
              await conn.request(AlterConfigsApi, {
                validateOnly,
                resources: await Promise.all(group.map(async (a) => ({ resourceType: RESOURCE_TYPE[a.type], resourceName: a.name, configs: await legacyConfigSet(cluster, a) }))),
              })
            ).responses
        for (const a of group) {
          const r = responses.find((x) => x.resourceType === RESOURCE_TYPE[a.type] && x.resourceName === a.name)
          if (r) outcomes.set(a, errorForCode(r.errorCode, r.errorMessage ?? resourcePath(a)) ?? true)
        }
        return outcomes
      }),
    options,
  )
}

/**
 * For brokers without IncrementalAlterConfigs (before Kafka 2.3): the legacy AlterConfigs replaces a
 * resource's whole set of explicitly set configs, so the current set is read, the operations applied to
 * it, and the result sent. Not atomic: a concurrent change by another client between the read and the
 * write is lost, as with any read-modify-write.
 */
async function legacyConfigSet(cluster: Cluster, a: ConfigAlteration): Promise<{ name: string; value: string | null }[]> {
  const [current] = await describeConfigs(cluster, [{ type: a.type, name: a.name }])
  const own = OWN_SOURCE[a.type] ?? []
  const values = new Map(current!.configs.filter((c) => own.includes(c.source) && c.value !== null).map((c) => [c.name, c.value!]))
  for (const op of a.ops) {
    const list = (values.get(op.name) ?? current!.configs.find((c) => c.name === op.name)?.value ?? '').split(',').filter((s) => s.length > 0)
    if (op.op === 'delete') values.delete(op.name)
    else if (op.op === 'append') values.set(op.name, [...list, ...(op.value ?? '').split(',').filter((s) => s && !list.includes(s))].join(','))
    else if (op.op === 'subtract') values.set(op.name, list.filter((s) => !(op.value ?? '').split(',').includes(s)).join(','))
    else values.set(op.name, op.value ?? '')
  }
  return [...values].map(([name, value]) => ({ name, value }))
}
