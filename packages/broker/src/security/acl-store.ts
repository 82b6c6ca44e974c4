import type { LogStorage } from '../log/storage.js'
import {
  bindingKey,
  filterMatches,
  operationName,
  parseOperation,
  parsePatternType,
  parsePermission,
  parseResourceType,
  patternTypeName,
  permissionName,
  resourceTypeName,
  type AclBinding,
  type AclFilter,
} from './acl-types.js'
import { JsonFile } from './json-file.js'

/** The file in the data directory that holds the ACLs. */
export const ACL_FILE = 'tributary-acls.json'

/** One ACL as stored: names rather than codes, so the file reads like `tributary acls list`. */
interface StoredAcl {
  resourceType: string
  resourceName: string
  patternType: string
  principal: string
  host: string
  operation: string
  permission: string
}

/**
 * Every ACL of the broker, kept in memory for the authorizer and persisted in the data directory
 * (`tributary-acls.json`, replaced atomically) on every change, so ACLs survive restarts.
 */
export class AclStore {
  private readonly file: JsonFile<AclBinding[]>
  private bindings: AclBinding[]
  private readonly keys: Set<string>
  /** Bumped on every change, so callers can cache what they computed from the ACLs. */
  private revision = 0

  /** @throws KafkaError `KAFKA_STORAGE_ERROR` when the file exists but cannot be read. */
  constructor(storage: LogStorage, dataDir: string) {
    this.file = new JsonFile(storage, dataDir, ACL_FILE)
    this.bindings = this.file.read(parseFile) ?? []
    this.keys = new Set(this.bindings.map(bindingKey))
  }

  /** Where the ACLs are persisted. */
  get path(): string {
    return this.file.path
  }

  /** Changes with every change of the ACLs. */
  get version(): number {
    return this.revision
  }

  /** Every ACL. */
  all(): readonly AclBinding[] {
    return this.bindings
  }

  /** The ACLs that match a filter. */
  find(filter: AclFilter): AclBinding[] {
    return this.bindings.filter((b) => filterMatches(filter, b))
  }

  /**
   * Adds ACLs (ones already present are kept once) and persists them; returns how many were new.
   *
   * @throws KafkaError `KAFKA_STORAGE_ERROR` when they cannot be persisted; nothing changes then.
   */
  add(bindings: readonly AclBinding[]): number {
    const seen = new Set(this.keys)
    const fresh = bindings.filter((b) => {
      const key = bindingKey(b)
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    if (fresh.length === 0) return 0
    this.replace([...this.bindings, ...fresh])
    return fresh.length
  }

  /**
   * Removes the ACLs matching any of the filters and persists the rest; returns the removed ACLs
   * of each filter (an ACL matching two filters is reported under both, as Kafka does).
   *
   * @throws KafkaError `KAFKA_STORAGE_ERROR` when the change cannot be persisted; nothing changes then.
   */
  remove(filters: readonly AclFilter[]): AclBinding[][] {
    const matched = filters.map((f) => this.bindings.filter((b) => filterMatches(f, b)))
    const gone = new Set(matched.flat())
    if (gone.size > 0) this.replace(this.bindings.filter((b) => !gone.has(b)))
    return matched
  }

  private replace(next: AclBinding[]): void {
    this.file.write({ version: 1, acls: next.map(toStored) })
    this.bindings = next
    this.keys.clear()
    for (const b of next) this.keys.add(bindingKey(b))
    this.revision++
  }
}

function toStored(b: AclBinding): StoredAcl {
  return {
    resourceType: resourceTypeName(b.resourceType),
    resourceName: b.resourceName,
    patternType: patternTypeName(b.patternType),
    principal: b.principal,
    host: b.host,
    operation: operationName(b.operation),
    permission: permissionName(b.permissionType),
  }
}

function parseFile(data: unknown): AclBinding[] {
  const doc = data as { version?: unknown; acls?: unknown }
  if (doc?.version !== 1 || !Array.isArray(doc.acls)) throw new Error('expected {"version": 1, "acls": [...]}')
  return doc.acls.map((entry: Partial<StoredAcl>, i): AclBinding => {
    const code = (parse: (s: string) => number | undefined, value: unknown, field: string): number => {
      const n = typeof value === 'string' ? parse(value) : undefined
      if (n === undefined) throw new Error(`ACL ${i}: bad ${field} ${JSON.stringify(value)}`)
      return n
    }
    const text = (value: unknown, field: string): string => {
      if (typeof value !== 'string') throw new Error(`ACL ${i}: bad ${field} ${JSON.stringify(value)}`)
      return value
    }
    return {
      resourceType: code(parseResourceType, entry.resourceType, 'resourceType'),
      resourceName: text(entry.resourceName, 'resourceName'),
      patternType: code(parsePatternType, entry.patternType, 'patternType'),
      principal: text(entry.principal, 'principal'),
      host: text(entry.host, 'host'),
      operation: code(parseOperation, entry.operation, 'operation'),
      permissionType: code(parsePermission, entry.permission, 'permission'),
    }
  })
}
