/**
 * Kafka's ACL model as numbers on the wire and names in logs, files and the CLI: resource types,
 * pattern types, operations and permissions, plus the binding (one ACL) and the filter that
 * DescribeAcls and DeleteAcls match bindings with.
 */

/** Resource types, as Kafka numbers them. */
export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const

/** Pattern types: how a binding's resource name matches resources. */
export const PatternType = {
  UNKNOWN: 0,
  /** Filters only: any pattern type. */
  ANY: 1,
  /** Filters only: every binding that applies to the named resource (literal, wildcard or prefix). */
  MATCH: 2,
  LITERAL: 3,
  PREFIXED: 4,
} as const

/** ACL operations, as Kafka numbers them (bit n of an authorized-operations field is operation n). */
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const

/** Permission types. Deny wins over allow. */
export const PermissionType = {
  UNKNOWN: 0,
  ANY: 1,
  DENY: 2,
  ALLOW: 3,
} as const

export type ResourceTypeCode = (typeof ResourceType)[keyof typeof ResourceType]
export type OperationCode = (typeof AclOperation)[keyof typeof AclOperation]

/** The name of the one cluster resource. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster'
/** A literal resource name that matches every resource of its type. */
export const WILDCARD_RESOURCE = '*'
/** The principal that matches every principal. */
export const WILDCARD_PRINCIPAL = 'User:*'
/** The host that matches every host. */
export const WILDCARD_HOST = '*'

/** The resource types ACLs may be created for. */
export const ACL_RESOURCE_TYPES: ReadonlySet<number> = new Set([ResourceType.TOPIC, ResourceType.GROUP, ResourceType.CLUSTER, ResourceType.TRANSACTIONAL_ID, ResourceType.DELEGATION_TOKEN, ResourceType.USER])

/** The operations each resource type has, as Kafka defines them (what authorized-operations fields may report). */
export const OPERATIONS_OF: Readonly<Record<number, readonly number[]>> = {
  [ResourceType.TOPIC]: [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
  [ResourceType.GROUP]: [AclOperation.READ, AclOperation.DELETE, AclOperation.DESCRIBE],
  [ResourceType.CLUSTER]: [
    AclOperation.CREATE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE,
    AclOperation.CLUSTER_ACTION,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
    AclOperation.IDEMPOTENT_WRITE,
    AclOperation.CREATE_TOKENS,
    AclOperation.DESCRIBE_TOKENS,
  ],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.WRITE, AclOperation.DESCRIBE],
  [ResourceType.DELEGATION_TOKEN]: [AclOperation.DESCRIBE],
  [ResourceType.USER]: [AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS],
}

/** One ACL: who may (or may not) do what to which resources from where. */
export interface AclBinding {
  resourceType: number
  resourceName: string
  patternType: number
  /** `User:alice`, or `User:*` for everyone. */
  principal: string
  /** A client IP address, or `*` for any host. */
  host: string
  operation: number
  permissionType: number
}

/** A DescribeAcls / DeleteAcls filter: null strings and the ANY codes match everything. */
export interface AclFilter {
  resourceType: number
  resourceName: string | null
  patternType: number
  principal: string | null
  host: string | null
  operation: number
  permissionType: number
}

function nameOf(table: Record<string, number>, code: number): string {
  return Object.keys(table).find((k) => table[k] === code) ?? `UNKNOWN(${code})`
}

/** `Topic`, `Group`, `Cluster`, `TransactionalId`, ... as Kafka's tools print them. */
export function resourceTypeName(code: number): string {
  return pascal(nameOf(ResourceType, code))
}

/** `Literal`, `Prefixed`, ... */
export function patternTypeName(code: number): string {
  return pascal(nameOf(PatternType, code))
}

/** `Read`, `Write`, `IdempotentWrite`, ... */
export function operationName(code: number): string {
  return pascal(nameOf(AclOperation, code))
}

/** `Allow` or `Deny`. */
export function permissionName(code: number): string {
  return pascal(nameOf(PermissionType, code))
}

function pascal(upperSnake: string): string {
  return upperSnake
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')
}

/** Looks a name up in a code table, ignoring case, `_` and `-` (`idempotent-write`, `IdempotentWrite`). */
function parseName(table: Record<string, number>, text: string): number | undefined {
  const key = text.replace(/[-_\s]/g, '').toUpperCase()
  const found = Object.keys(table).find((k) => k.replace(/_/g, '') === key)
  return found === undefined ? undefined : table[found]
}

/** Parses a resource type name (`topic`, `Group`, `transactional-id`, `cluster`). */
export function parseResourceType(text: string): number | undefined {
  return parseName(ResourceType, text)
}

/** Parses a pattern type name (`literal`, `prefixed`, `match`, `any`). */
export function parsePatternType(text: string): number | undefined {
  return parseName(PatternType, text)
}

/** Parses an operation name (`read`, `Write`, `idempotent-write`, `all`). */
export function parseOperation(text: string): number | undefined {
  return parseName(AclOperation, text)
}

/** Parses a permission name (`allow`, `deny`). */
export function parsePermission(text: string): number | undefined {
  return parseName(PermissionType, text)
}

/** One ACL as a line for logs and the CLI: `User:alice from * may Read Topic:orders (Literal)`. */
export function describeBinding(b: AclBinding): string {
  const verb = b.permissionType === PermissionType.DENY ? 'may not' : 'may'
  return `${b.principal} from ${b.host} ${verb} ${operationName(b.operation)} ${resourceTypeName(b.resourceType)}:${b.resourceName} (${patternTypeName(b.patternType)})`
}

/** A key that identifies a binding exactly, for sets and de-duplication. */
export function bindingKey(b: AclBinding): string {
  return JSON.stringify([b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permissionType])
}

/**
 * Whether a binding matches a filter, as DescribeAcls and DeleteAcls use it. With pattern type
 * MATCH and a resource name, the filter matches every binding that applies to that resource: the
 * literal name, the `*` wildcard, and prefixes of the name.
 */
export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false
  if (f.principal !== null && f.principal !== b.principal) return false
  if (f.host !== null && f.host !== b.host) return false
  if (f.operation !== AclOperation.ANY && f.operation !== b.operation) return false
  if (f.permissionType !== PermissionType.ANY && f.permissionType !== b.permissionType) return false
  if (f.patternType === PatternType.MATCH) {
    if (f.resourceName === null) return true
    return patternApplies(b, f.resourceName)
  }
  if (f.patternType !== PatternType.ANY && f.patternType !== b.patternType) return false
  return f.resourceName === null || f.resourceName === b.resourceName
}

/** Whether a binding's resource pattern covers the resource named `name` (of the binding's type). */
export function patternApplies(b: Pick<AclBinding, 'patternType' | 'resourceName'>, name: string): boolean {
  if (b.patternType === PatternType.LITERAL) return b.resourceName === name || b.resourceName === WILDCARD_RESOURCE
  if (b.patternType === PatternType.PREFIXED) return name.startsWith(b.resourceName)
  return false
}
