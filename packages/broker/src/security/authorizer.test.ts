import { describe, expect, it } from 'vitest'
import { MemoryStorage } from '../log/memory-store.js'
import { AclStore } from './acl-store.js'
import { AclOperation as Op, PatternType, PermissionType, ResourceType, filterMatches, type AclBinding } from './acl-types.js'
import { Authorizer } from './authorizer.js'

const alice = { principal: 'User:alice', host: '10.0.0.1' }

function emptyStore(): AclStore {
  const storage = new MemoryStorage()
  storage.mkdirs('/data')
  return new AclStore(storage, '/data')
}

function authorizer(acls: Partial<AclBinding>[], config: { superUsers?: string[]; allowEveryoneIfNoAclFound?: boolean } = {}): Authorizer {
  const store = emptyStore()
  store.add(acls.map((a) => ({ resourceType: ResourceType.TOPIC, resourceName: 'orders', patternType: PatternType.LITERAL, principal: 'User:alice', host: '*', operation: Op.READ, permissionType: PermissionType.ALLOW, ...a })))
  return new Authorizer({ enabled: true, superUsers: new Set(config.superUsers ?? []), allowEveryoneIfNoAclFound: config.allowEveryoneIfNoAclFound ?? false }, store)
}

describe('Authorizer', () => {
  it('allows what an ALLOW covers, and Describe through Read, Write, Delete or Alter; DescribeConfigs through AlterConfigs', () => {
    const a = authorizer([{}, { resourceName: 'conf', operation: Op.ALTER_CONFIGS }])
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(true)
    expect(a.authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 'orders')).toBe(true)
    expect(a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'orders')).toBe(false)
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'other')).toBe(false)
    expect(a.authorize(alice, Op.READ, ResourceType.GROUP, 'orders')).toBe(false)
    expect(a.authorize(alice, Op.DESCRIBE_CONFIGS, ResourceType.TOPIC, 'conf')).toBe(true)
    expect(a.authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 'conf')).toBe(false)
    expect(a.authorize({ ...alice, principal: 'User:bob' }, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false)
  })

  it('matches prefixes, the * name, User:* and hosts; a DENY (of the operation or All) wins', () => {
    const a = authorizer([
      { resourceName: 'ord', patternType: PatternType.PREFIXED, operation: Op.WRITE },
      { resourceName: '*', principal: 'User:*', operation: Op.DESCRIBE },
      { resourceName: 'orders-eu', operation: Op.ALL, permissionType: PermissionType.DENY, host: '10.0.0.1' },
    ])
    expect(a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'orders-us')).toBe(true)
    expect(a.authorize({ principal: 'User:zed', host: '1.2.3.4' }, Op.DESCRIBE, ResourceType.TOPIC, 'anything')).toBe(true)
    expect(a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'orders-eu')).toBe(false)
    expect(a.authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 'orders-eu')).toBe(false)
    expect(a.authorize({ ...alice, host: '10.0.0.2' }, Op.WRITE, ResourceType.TOPIC, 'orders-eu')).toBe(true)
    // A DENY of Read does not deny Describe, which Read would have implied.
    const b = authorizer([{ operation: Op.DESCRIBE }, { operation: Op.READ, permissionType: PermissionType.DENY }])
    expect(b.authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 'orders')).toBe(true)
    expect(b.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false)
  })

  it('lets super users do everything, opens ACL-free resources only with allow.everyone.if.no.acl.found, and is open when off', () => {
    const a = authorizer([{ principal: 'User:bob' }], { superUsers: ['User:root'], allowEveryoneIfNoAclFound: true })
    expect(a.authorize({ principal: 'User:root', host: '1.1.1.1' }, Op.ALTER, ResourceType.CLUSTER, 'kafka-cluster')).toBe(true)
    expect(a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'no-acls')).toBe(true)
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false)
    expect(authorizer([]).authorize(alice, Op.READ, ResourceType.TOPIC, 'x')).toBe(false)
    const off = new Authorizer({ enabled: false, superUsers: new Set(), allowEveryoneIfNoAclFound: false }, emptyStore())
    expect(off.authorize(alice, Op.ALTER, ResourceType.CLUSTER, 'kafka-cluster')).toBe(true)
    expect(off.authorizedOperations(alice, ResourceType.GROUP, 'g')).toBe((1 << Op.READ) | (1 << Op.DELETE) | (1 << Op.DESCRIBE))
  })

  it('answers authorized-operation bit fields and whether any resource of a type allows an operation', () => {
    const a = authorizer([{ operation: Op.WRITE }])
    expect(a.authorizedOperations(alice, ResourceType.TOPIC, 'orders')).toBe((1 << Op.WRITE) | (1 << Op.DESCRIBE))
    expect(a.authorizeAnyOfType(alice, Op.WRITE, ResourceType.TOPIC)).toBe(true)
    expect(a.authorizeAnyOfType(alice, Op.READ, ResourceType.TOPIC)).toBe(false)
    expect(authorizer([{ operation: Op.WRITE }, { resourceName: 'ord', patternType: PatternType.PREFIXED, operation: Op.WRITE, permissionType: PermissionType.DENY }]).authorizeAnyOfType(alice, Op.WRITE, ResourceType.TOPIC)).toBe(false)
    expect(authorizer([{ operation: Op.WRITE }, { resourceName: '*', operation: Op.ALL, permissionType: PermissionType.DENY }]).authorizeAnyOfType(alice, Op.WRITE, ResourceType.TOPIC)).toBe(false)
    expect(authorizer([{ resourceName: 'x', operation: Op.WRITE }, { resourceName: 'y', operation: Op.WRITE, permissionType: PermissionType.DENY }]).authorizeAnyOfType(alice, Op.WRITE, ResourceType.TOPIC)).toBe(true)
  })

  it('sees ACL changes at once', () => {
    const a = authorizer([])
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false)
    a.acls.add([{ resourceType: ResourceType.TOPIC, resourceName: 'orders', patternType: PatternType.LITERAL, principal: 'User:alice', host: '*', operation: Op.READ, permissionType: PermissionType.ALLOW }])
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(true)
  })
})

describe('ACL filters', () => {
  const binding: AclBinding = { resourceType: ResourceType.TOPIC, resourceName: 'ord', patternType: PatternType.PREFIXED, principal: 'User:alice', host: '*', operation: Op.READ, permissionType: PermissionType.ALLOW }
  const any = { resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY, principal: null, host: null, operation: Op.ANY, permissionType: PermissionType.ANY }
  it('match by type, exact name and pattern, or with MATCH every ACL that applies to a name', () => {
    expect(filterMatches(any, binding)).toBe(true)
    expect(filterMatches({ ...any, resourceName: 'ord', patternType: PatternType.PREFIXED }, binding)).toBe(true)
    expect(filterMatches({ ...any, resourceName: 'ord', patternType: PatternType.LITERAL }, binding)).toBe(false)
    expect(filterMatches({ ...any, resourceName: 'orders', patternType: PatternType.MATCH }, binding)).toBe(true)
    expect(filterMatches({ ...any, resourceName: 'or', patternType: PatternType.MATCH }, binding)).toBe(false)
    expect(filterMatches({ ...any, principal: 'User:bob' }, binding)).toBe(false)
    expect(filterMatches({ ...any, permissionType: PermissionType.DENY }, binding)).toBe(false)
  })
})
