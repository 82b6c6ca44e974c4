import type { AclStore } from './acl-store.js'
import { AclOperation, OPERATIONS_OF, PatternType, PermissionType, WILDCARD_HOST, WILDCARD_PRINCIPAL, WILDCARD_RESOURCE, patternApplies, type AclBinding } from './acl-types.js'

/** How the authorizer decides. */
export interface AuthorizerConfig {
  /** Off (the default): every request is allowed and the ACL APIs answer SECURITY_DISABLED. */
  enabled: boolean
  /** Kafka's `super.users`: principals allowed everything, whatever the ACLs say. */
  superUsers: ReadonlySet<string>
  /** Kafka's `allow.everyone.if.no.acl.found`: a resource without any ACL is open to all. Default false. */
  allowEveryoneIfNoAclFound: boolean
}

/** Who is asking: the authenticated principal and the client's IP address. */
export interface Requester {
  /** `User:alice`, `User:CN=client,O=acme`, or `User:ANONYMOUS`. */
  principal: string
  /** The client's IP address. */
  host: string
}

/** Operations that an ACL allowing any of them also allows (Describe by Read, DescribeConfigs by AlterConfigs). */
const IMPLIED_BY: Readonly<Record<number, readonly number[]>> = {
  [AclOperation.DESCRIBE]: [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER],
  [AclOperation.DESCRIBE_CONFIGS]: [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
}

/**
 * Kafka's ACL authorizer: decides whether a principal connecting from a host may perform an
 * operation on a resource.
 *
 * The rules, as Kafka's:
 * 1. super users may do everything;
 * 2. the ACLs that apply to the resource are those of its type whose pattern covers its name: a
 *    literal name, the literal `*`, or a prefix;
 * 3. with none at all (for anyone) and `allow.everyone.if.no.acl.found`, everyone may;
 * 4. a DENY for the principal (or `User:*`), the host (or `*`) and the operation (or All) refuses;
 * 5. otherwise an ALLOW likewise permits, where allowing Read, Write, Delete or Alter also allows
 *    Describe, and allowing AlterConfigs also allows DescribeConfigs;
 * 6. otherwise the request is refused.
 *
 * @example
 * ```ts
 * const authorizer = new Authorizer({ enabled: true, superUsers: new Set(['User:admin']), allowEveryoneIfNoAclFound: false }, acls)
 * authorizer.authorize({ principal: 'User:alice', host: '10.0.0.5' }, AclOperation.READ, ResourceType.TOPIC, 'orders')
 * ```
 */
export class Authorizer {
  private indexedVersion = -1
  private byType = new Map<number, AclBinding[]>()

  constructor(
    readonly config: AuthorizerConfig,
    readonly acls: AclStore,
  ) {}

  /** Whether authorization is on. When off, {@link authorize} allows everything. */
  get enabled(): boolean {
    return this.config.enabled
  }

  /** Whether the principal is a super user. */
  isSuperUser(principal: string): boolean {
    return this.config.superUsers.has(principal)
  }

  /** Whether `who` may perform `operation` on the resource of `resourceType` named `name`. */
  authorize(who: Requester, operation: number, resourceType: number, name: string): boolean {
    if (!this.config.enabled || this.isSuperUser(who.principal)) return true
    const applicable = this.ofType(resourceType).filter((b) => patternApplies(b, name))
    if (applicable.length === 0 && this.config.allowEveryoneIfNoAclFound) return true
    const mine = applicable.filter((b) => appliesTo(b, who))
    if (mine.some((b) => b.permissionType === PermissionType.DENY && (b.operation === operation || b.operation === AclOperation.ALL))) return false
    const allowing = IMPLIED_BY[operation] ?? [operation]
    return mine.some((b) => b.permissionType === PermissionType.ALLOW && (b.operation === AclOperation.ALL || allowing.includes(b.operation)))
  }

  /**
   * The operations `who` may perform on a resource, as an authorized-operations bit field (bit n
   * set when operation n is allowed), among those the resource type has.
   */
  authorizedOperations(who: Requester, resourceType: number, name: string): number {
    let bits = 0
    for (const op of OPERATIONS_OF[resourceType] ?? []) if (this.authorize(who, op, resourceType, name)) bits |= 1 << op
    return bits
  }

  /**
   * Whether `who` may perform `operation` on at least one resource of the type (Kafka's
   * `authorizeByResourceType`, KIP-679): some ALLOW of the operation (or All) whose pattern no
   * DENY of the principal covers. Idempotent producers use it: Write on any topic is enough.
   */
  authorizeAnyOfType(who: Requester, operation: number, resourceType: number): boolean {
    if (!this.config.enabled || this.isSuperUser(who.principal)) return true
    const all = this.ofType(resourceType)
    if (all.length === 0 && this.config.allowEveryoneIfNoAclFound) return true
    const relevant = all.filter((b) => appliesTo(b, who) && (b.operation === operation || b.operation === AclOperation.ALL))
    const denies = relevant.filter((b) => b.permissionType === PermissionType.DENY)
    const deniedAll = denies.some((d) => d.resourceName === WILDCARD_RESOURCE && d.patternType === PatternType.LITERAL)
    if (deniedAll) return false
    return relevant.some((allow) => {
      if (allow.permissionType !== PermissionType.ALLOW) return false
      const literal = allow.patternType === PatternType.LITERAL
      return !denies.some((d) => (d.patternType === PatternType.PREFIXED ? allow.resourceName.startsWith(d.resourceName) : literal && d.resourceName === allow.resourceName))
    })
  }

  private ofType(resourceType: number): AclBinding[] {
    if (this.indexedVersion !== this.acls.version) {
      this.byType = new Map()
      for (const b of this.acls.all()) {
        const list = this.byType.get(b.resourceType) ?? []
        list.push(b)
        this.byType.set(b.resourceType, list)
      }
      this.indexedVersion = this.acls.version
    }
    return this.byType.get(resourceType) ?? []
  }
}

function appliesTo(b: AclBinding, who: Requester): boolean {
  return (b.principal === who.principal || b.principal === WILDCARD_PRINCIPAL) && (b.host === who.host || b.host === WILDCARD_HOST)
}
