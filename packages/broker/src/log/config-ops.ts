import { logError } from './errors.js'
import { TOPIC_CONFIG_DEFINITIONS } from './topic-config.js'

/**
 * One config change, as IncrementalAlterConfigs sends it (AlterConfigs is a list of `set`s).
 * `append` and `subtract` apply to list configs (`cleanup.policy`).
 */
export interface ConfigOp {
  name: string
  op: 'set' | 'delete' | 'append' | 'subtract'
  /** Required for every op but `delete`. */
  value?: string | null
}

/**
 * Applies config changes to a copy of `current` (overrides by topic config name). Broker names
 * (`log.retention.ms`) are accepted for `retention.ms` and so on when `brokerNames` is set. Values
 * are not validated here; pass the result through `validateTopicConfigs`.
 *
 * @throws KafkaError `INVALID_CONFIG` for unknown names, a missing value, or append/subtract on a
 * config that is not a list.
 */
export function applyConfigOps(current: Readonly<Record<string, string>>, ops: readonly ConfigOp[], brokerNames = false): Record<string, string> {
  const out = { ...current }
  for (const { name: given, op, value } of ops) {
    const def = TOPIC_CONFIG_DEFINITIONS.get(given) ?? (brokerNames ? [...TOPIC_CONFIG_DEFINITIONS.values()].find((d) => d.brokerSynonym === given) : undefined)
    if (!def) throw logError('INVALID_CONFIG', `Unknown topic config name: ${given}`)
    const name = def.name
    if (op === 'delete') {
      delete out[name]
      continue
    }
    if (value === undefined || value === null) throw logError('INVALID_CONFIG', `Config ${given} needs a value for ${op}`)
    if (op === 'set') {
      out[name] = value
      continue
    }
    if (def.type !== 'list') throw logError('INVALID_CONFIG', `Config value ${op} is not allowed for config key ${given}: it is not a list`)
    const items = (out[name] ?? def.default).split(',').map((s) => s.trim()).filter(Boolean)
    const changes = value.split(',').map((s) => s.trim()).filter(Boolean)
    const next = op === 'append' ? [...items, ...changes.filter((c) => !items.includes(c))] : items.filter((i) => !changes.includes(i))
    out[name] = next.join(',')
  }
  return out
}
