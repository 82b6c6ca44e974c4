import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Connection } from '@tributary/client'
import { CreateAclsApi, DeleteAclsApi, DescribeAclsApi, ErrorCode } from '@tributary/protocol'
import { randomTopic, startTestBroker, tempDir, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACL_FILE } from '../src/index.js'
import { Op, Pattern, Permission, Resource, connectAs, grant, plainUsers } from './fixtures/acl-client.js'
import { connect, createTopic, produceValues } from './fixtures/secure-client.js'

interface Filter {
  resourceTypeFilter: number
  resourceNameFilter: string | null
  patternTypeFilter: number
  principalFilter: string | null
  hostFilter: string | null
  operation: number
  permissionType: number
}

const ANY_FILTER: Filter = { resourceTypeFilter: Resource.ANY, resourceNameFilter: null, patternTypeFilter: Pattern.ANY, principalFilter: null, hostFilter: null, operation: Op.ANY, permissionType: Permission.ANY }

describe('CreateAcls, DescribeAcls, DeleteAcls', () => {
  const dir = tempDir()
  let t: TestBroker
  let admin: Connection
  let alice: Connection
  const start = async () => {
    t = await startTestBroker({ dataDir: dir.path, listeners: ['SASL_PLAINTEXT://127.0.0.1:0'], sasl: { plainUsers: plainUsers('admin', 'alice') }, authorizer: true, superUsers: ['User:admin'] })
    admin = await connectAs(t.broker.port, 'admin')
    alice = await connectAs(t.broker.port, 'alice')
  }
  const stop = async () => {
    admin.close()
    alice.close()
    await t.broker.close()
  }
  beforeAll(start)
  afterAll(async () => {
    await stop()
    dir.remove()
  })

  it('need Alter (to change) or Describe (to list) on the cluster', async () => {
    const creation = { resourceType: Resource.TOPIC, resourceName: 'x', resourcePatternType: Pattern.LITERAL, principal: 'User:alice', host: '*', operation: Op.READ, permissionType: Permission.ALLOW }
    expect((await alice.request(CreateAclsApi, { creations: [creation] })).results[0]!.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
    expect((await alice.request(DescribeAclsApi, ANY_FILTER)).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
    expect((await alice.request(DeleteAclsApi, { filters: [ANY_FILTER] })).filterResults[0]!.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
    await grant(admin, { type: Resource.CLUSTER, name: 'kafka-cluster', principal: 'User:alice', op: Op.DESCRIBE })
    expect((await alice.request(DescribeAclsApi, ANY_FILTER)).errorCode).toBe(ErrorCode.NONE)
    expect((await alice.request(CreateAclsApi, { creations: [creation] })).results[0]!.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
    expect(t.log.matching(/denied User:alice from 127\.0\.0\.1 Alter on Cluster:kafka-cluster/).length).toBeGreaterThan(0)
  })

  it('refuse ACLs that cannot exist, naming the problem, and create the valid ones of the same request', async () => {
    const base = { resourceType: Resource.TOPIC, resourceName: 'orders', resourcePatternType: Pattern.LITERAL, principal: 'User:bob', host: '*', operation: Op.READ, permissionType: Permission.ALLOW }
    const res = await admin.request(CreateAclsApi, {
      creations: [
        { ...base, resourceType: Resource.ANY },
        { ...base, resourcePatternType: Pattern.MATCH },
        { ...base, principal: 'bob' },
        { ...base, host: 'example.com' },
        { ...base, resourceType: Resource.CLUSTER, resourceName: 'my-cluster' },
        { ...base, operation: Op.ANY },
        { ...base, permissionType: Permission.ANY },
        { ...base, resourceName: '' },
        base,
      ],
    })
    expect(res.results.map((r) => r.errorCode)).toEqual([...Array(8).fill(ErrorCode.INVALID_REQUEST), ErrorCode.NONE])
    expect(res.results[3]!.errorMessage).toMatch(/Host "example.com" is neither an IP address nor \*/)
    expect(res.results[4]!.errorMessage).toMatch(/cluster resource is named kafka-cluster/)
  })

  it('describe by literal, prefixed, match and any filters, and delete what matches, persisted across a restart', async () => {
    const topic = randomTopic('acl')
    await grant(
      admin,
      { type: Resource.TOPIC, name: topic, principal: 'User:carol', op: Op.READ },
      { type: Resource.TOPIC, name: topic.slice(0, 5), pattern: Pattern.PREFIXED, principal: 'User:carol', op: Op.WRITE },
      { type: Resource.TOPIC, name: '*', principal: 'User:carol', op: Op.DESCRIBE },
      { type: Resource.TOPIC, name: topic, principal: 'User:carol', op: Op.WRITE, permission: Permission.DENY, host: '10.0.0.7' },
      { type: Resource.GROUP, name: 'carol-group', principal: 'User:carol', op: Op.READ },
    )
    const describe = (filter: Partial<Filter>) => admin.request(DescribeAclsApi, { ...ANY_FILTER, principalFilter: 'User:carol', ...filter })
    const literal = await describe({ resourceTypeFilter: Resource.TOPIC, resourceNameFilter: topic, patternTypeFilter: Pattern.LITERAL })
    expect(literal.resources).toEqual([
      {
        resourceType: Resource.TOPIC,
        resourceName: topic,
        patternType: Pattern.LITERAL,
        acls: [
          { principal: 'User:carol', host: '*', operation: Op.READ, permissionType: Permission.ALLOW },
          { principal: 'User:carol', host: '10.0.0.7', operation: Op.WRITE, permissionType: Permission.DENY },
        ],
      },
    ])
    const match = await describe({ resourceTypeFilter: Resource.TOPIC, resourceNameFilter: topic, patternTypeFilter: Pattern.MATCH })
    expect(match.resources.map((r) => [r.resourceName, r.patternType, r.acls.length])).toEqual([
      [topic, Pattern.LITERAL, 2],
      [topic.slice(0, 5), Pattern.PREFIXED, 1],
      ['*', Pattern.LITERAL, 1],
    ])
    expect((await describe({})).resources.flatMap((r) => r.acls)).toHaveLength(5)
    expect((await describe({ resourceTypeFilter: Resource.UNKNOWN })).errorCode).toBe(ErrorCode.INVALID_REQUEST)

    const deleted = await admin.request(DeleteAclsApi, {
      filters: [
        { ...ANY_FILTER, principalFilter: 'User:carol', permissionType: Permission.DENY },
        { ...ANY_FILTER, principalFilter: 'User:carol', resourceTypeFilter: Resource.GROUP },
      ],
    })
    expect(deleted.filterResults.map((f) => f.matchingAcls.map((a) => [a.resourceName, a.operation, a.permissionType]))).toEqual([[[topic, Op.WRITE, Permission.DENY]], [['carol-group', Op.READ, Permission.ALLOW]]])

    const file = readFileSync(join(dir.path, ACL_FILE), 'utf8')
    expect(JSON.parse(file).acls).toContainEqual({ resourceType: 'Topic', resourceName: topic.slice(0, 5), patternType: 'Prefixed', principal: 'User:carol', host: '*', operation: 'Write', permission: 'Allow' })
    await stop()
    await start()
    const after = await admin.request(DescribeAclsApi, { ...ANY_FILTER, principalFilter: 'User:carol' })
    expect(after.resources.flatMap((r) => r.acls.map((a) => [r.resourceName, a.operation, a.permissionType]))).toEqual([
      [topic, Op.READ, Permission.ALLOW],
      [topic.slice(0, 5), Op.WRITE, Permission.ALLOW],
      ['*', Op.DESCRIBE, Permission.ALLOW],
    ])
  })
})

describe('without an authorizer', () => {
  it('every request is allowed and the ACL APIs answer SECURITY_DISABLED', async () => {
    const { broker } = await startTestBroker()
    const conn = await connect(broker.port)
    const res = await conn.request(CreateAclsApi, { creations: [{ resourceType: Resource.TOPIC, resourceName: 't', resourcePatternType: Pattern.LITERAL, principal: 'User:a', host: '*', operation: Op.READ, permissionType: Permission.ALLOW }] })
    expect(res.results[0]).toMatchObject({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: expect.stringMatching(/authorizer: true/) })
    expect((await conn.request(DescribeAclsApi, ANY_FILTER)).errorCode).toBe(ErrorCode.SECURITY_DISABLED)
    expect((await conn.request(DeleteAclsApi, { filters: [ANY_FILTER] })).filterResults[0]!.errorCode).toBe(ErrorCode.SECURITY_DISABLED)
    const topic = randomTopic('open')
    expect(await createTopic(conn, topic)).toBe(ErrorCode.NONE)
    expect(await produceValues(conn, topic, ['x'])).toBe(ErrorCode.NONE)
    conn.close()
    await broker.close()
  })
})

describe('allow.everyone.if.no.acl.found', () => {
  it('opens resources without any ACL, and only those', async () => {
    const { broker } = await startTestBroker({ authorizer: true, configs: { 'allow.everyone.if.no.acl.found': 'true' }, superUsers: ['User:admin'], listeners: ['SASL_PLAINTEXT://127.0.0.1:0'], sasl: { plainUsers: plainUsers('admin', 'dan') } })
    const admin = await connectAs(broker.port, 'admin')
    const dan = await connectAs(broker.port, 'dan')
    const open = randomTopic('open')
    const guarded = randomTopic('guarded')
    expect(await createTopic(admin, open)).toBe(ErrorCode.NONE)
    expect(await createTopic(admin, guarded)).toBe(ErrorCode.NONE)
    await grant(admin, { type: Resource.TOPIC, name: guarded, principal: 'User:someone-else', op: Op.WRITE })
    expect(await produceValues(dan, open, ['x'])).toBe(ErrorCode.NONE)
    expect(await produceValues(dan, guarded, ['x'])).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
    admin.close()
    dan.close()
    await broker.close()
  })
})
