import type { Connection } from '@tributary/client'
import {
  AddOffsetsToTxnApi,
  AddPartitionsToTxnApi,
  AlterConfigsApi,
  AlterUserScramCredentialsApi,
  CreatePartitionsApi,
  DeleteGroupsApi,
  DeleteRecordsApi,
  DeleteTopicsApi,
  DescribeClusterApi,
  DescribeConfigsApi,
  DescribeGroupsApi,
  DescribeUserScramCredentialsApi,
  EndTxnApi,
  ErrorCode,
  FindCoordinatorApi,
  IncrementalAlterConfigsApi,
  InitProducerIdApi,
  JoinGroupApi,
  ListGroupsApi,
  ListOffsetsApi,
  MetadataApi,
  OffsetCommitApi,
  OffsetFetchApi,
  WriteTxnMarkersApi,
} from '@tributary/protocol'
import { randomTopic, startTestBroker, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Op, Pattern, Permission, Resource, connectAs, grant, plainUsers, revokeAll } from './fixtures/acl-client.js'
import { createTopic, fetchValues, produceValues } from './fixtures/secure-client.js'

const ALICE = 'User:alice'
const bits = (...ops: number[]) => ops.reduce((m, op) => m | (1 << op), 0)

describe('ACL enforcement', () => {
  let t: TestBroker
  let admin: Connection
  let alice: Connection
  let topic: string
  beforeAll(async () => {
    t = await startTestBroker({ listeners: ['SASL_PLAINTEXT://127.0.0.1:0'], sasl: { plainUsers: plainUsers('admin', 'alice') }, authorizer: true, superUsers: ['User:admin'] })
    admin = await connectAs(t.broker.port, 'admin')
    alice = await connectAs(t.broker.port, 'alice')
  })
  afterAll(async () => {
    admin.close()
    alice.close()
    await t.broker.close()
  })
  beforeEach(async () => {
    await revokeAll(admin, ALICE)
    topic = randomTopic('acl')
    expect(await createTopic(admin, topic)).toBe(ErrorCode.NONE)
    expect(await produceValues(admin, topic, ['one'])).toBe(ErrorCode.NONE)
  })

  const allow = (type: number, name: string, op: number, extra: { pattern?: number; permission?: number; principal?: string } = {}) => grant(admin, { type, name, op, principal: extra.principal ?? ALICE, ...extra })

  describe('topics', () => {
    it('Produce needs Write, Fetch Read, ListOffsets Describe (implied by Read)', async () => {
      expect(await produceValues(alice, topic, ['x'])).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      expect((await fetchValues(alice, topic)).errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      const listOffsets = () => alice.request(ListOffsetsApi, { replicaId: -1, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }] })
      expect((await listOffsets()).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      await allow(Resource.TOPIC, topic, Op.WRITE)
      expect(await produceValues(alice, topic, ['two'])).toBe(ErrorCode.NONE)
      expect((await fetchValues(alice, topic)).errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      await allow(Resource.TOPIC, topic, Op.READ)
      expect(await fetchValues(alice, topic)).toEqual({ errorCode: ErrorCode.NONE, values: ['one', 'two'] })
      expect((await listOffsets()).topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, offset: 2n })
      expect(t.log.matching(`denied ${ALICE} from 127.0.0.1 Write on Topic:${topic}`)).toHaveLength(1)
    })

    it('prefixed and wildcard patterns and User:* apply; a deny wins over any allow', async () => {
      await allow(Resource.TOPIC, topic.slice(0, 4), Op.WRITE, { pattern: Pattern.PREFIXED })
      expect(await produceValues(alice, topic, ['x'])).toBe(ErrorCode.NONE)
      await allow(Resource.TOPIC, '*', Op.READ, { principal: 'User:*' })
      expect((await fetchValues(alice, topic)).errorCode).toBe(ErrorCode.NONE)
      await allow(Resource.TOPIC, topic, Op.ALL, { permission: Permission.DENY })
      expect(await produceValues(alice, topic, ['x'])).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      expect((await fetchValues(alice, topic)).errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      // The super user is never denied.
      expect(await produceValues(admin, topic, ['x'])).toBe(ErrorCode.NONE)
      await revokeAll(admin, 'User:*')
    })

    it('Metadata hides topics the principal may not Describe, refuses named ones, and reports authorized operations', async () => {
      const other = randomTopic('hidden')
      expect(await createTopic(admin, other)).toBe(ErrorCode.NONE)
      await allow(Resource.TOPIC, topic, Op.READ)
      const all = await alice.request(MetadataApi, { topics: null, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true }, { maxVersion: 10 })
      expect(all.topics.map((x) => x.name)).toEqual([topic])
      expect(all.topics[0]!.topicAuthorizedOperations).toBe(bits(Op.READ, Op.DESCRIBE))
      expect(all.clusterAuthorizedOperations).toBe(0)
      const named = await alice.request(MetadataApi, { topics: [{ name: other }, { name: 'never-created' }], allowAutoTopicCreation: false })
      expect(named.topics.map((x) => [x.name, x.errorCode])).toEqual([
        [other, ErrorCode.TOPIC_AUTHORIZATION_FAILED],
        ['never-created', ErrorCode.TOPIC_AUTHORIZATION_FAILED],
      ])
      // Auto-creation needs Create as well as Describe.
      const fresh = randomTopic('auto')
      await allow(Resource.TOPIC, fresh, Op.DESCRIBE)
      expect((await alice.request(MetadataApi, { topics: [{ name: fresh }], allowAutoTopicCreation: true })).topics[0]!.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      expect(t.broker.logs.topic(fresh)).toBeUndefined()
      await allow(Resource.TOPIC, fresh, Op.CREATE)
      expect((await alice.request(MetadataApi, { topics: [{ name: fresh }], allowAutoTopicCreation: true })).topics[0]!.errorCode).toBe(ErrorCode.NONE)
      const superView = await admin.request(MetadataApi, { topics: null, includeClusterAuthorizedOperations: true }, { maxVersion: 10 })
      expect(superView.topics.map((x) => x.name)).toEqual(expect.arrayContaining([topic, other, fresh]))
      expect(superView.clusterAuthorizedOperations).toBe(bits(Op.CREATE, Op.ALTER, Op.DESCRIBE, Op.CLUSTER_ACTION, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS, Op.IDEMPOTENT_WRITE, 13, 14))
    })

    it('topic admin: CreateTopics needs Create (cluster or topic), DeleteTopics and DeleteRecords Delete, CreatePartitions Alter, configs DescribeConfigs / AlterConfigs', async () => {
      const fresh = randomTopic('create')
      expect(await createTopic(alice, fresh)).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      await allow(Resource.TOPIC, fresh, Op.CREATE)
      expect(await createTopic(alice, fresh)).toBe(ErrorCode.NONE)
      await allow(Resource.CLUSTER, 'kafka-cluster', Op.CREATE)
      expect(await createTopic(alice, randomTopic('cluster-create'))).toBe(ErrorCode.NONE)

      const partitions = () => alice.request(CreatePartitionsApi, { topics: [{ name: topic, count: 2, assignments: null }], timeoutMs: 5000 })
      expect((await partitions()).results[0]!.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      await allow(Resource.TOPIC, topic, Op.ALTER)
      expect((await partitions()).results[0]!.errorCode).toBe(ErrorCode.NONE)

      const describeConfigs = () => alice.request(DescribeConfigsApi, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: null }, { resourceType: 4, resourceName: '0', configurationKeys: null }] })
      // DescribeConfigs is implied by AlterConfigs, not by Alter.
      expect((await describeConfigs()).results.map((r) => r.errorCode)).toEqual([ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.CLUSTER_AUTHORIZATION_FAILED])
      const alter = () => alice.request(IncrementalAlterConfigsApi, { resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }] }] })
      expect((await alter()).responses[0]!.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      expect((await alice.request(AlterConfigsApi, { resources: [{ resourceType: 4, resourceName: '', configs: [] }] })).responses[0]!.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
      await allow(Resource.TOPIC, topic, Op.ALTER_CONFIGS)
      expect((await alter()).responses[0]!.errorCode).toBe(ErrorCode.NONE)
      expect((await describeConfigs()).results.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.CLUSTER_AUTHORIZATION_FAILED])

      const deleteRecords = () => alice.request(DeleteRecordsApi, { topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: -1n }] }], timeoutMs: 5000 })
      expect((await deleteRecords()).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      const deleteTopic = () => alice.request(DeleteTopicsApi, { topicNames: [topic], topics: [{ name: topic }], timeoutMs: 5000 })
      expect((await deleteTopic()).responses[0]!.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      await allow(Resource.TOPIC, topic, Op.DELETE)
      expect((await deleteRecords()).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE)
      expect((await deleteTopic()).responses[0]!.errorCode).toBe(ErrorCode.NONE)
    })
  })

  describe('groups', () => {
    const join = (conn: Connection, groupId: string) =>
      conn.request(JoinGroupApi, { groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] })
    const commit = (conn: Connection, groupId: string) =>
      conn.request(OffsetCommitApi, { groupId, generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1n }] }] })
    const fetchOffsets = (conn: Connection, groupId: string) => conn.request(OffsetFetchApi, { groups: [{ groupId, topics: [{ name: topic, partitionIndexes: [0] }] }] })

    it('membership and commits need Read on the group, commits also Read on the topic; OffsetFetch and FindCoordinator Describe', async () => {
      const group = randomTopic('group')
      expect((await join(alice, group)).errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED)
      expect((await commit(alice, group)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED)
      expect((await fetchOffsets(alice, group)).groups[0]!.errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED)
      expect((await alice.request(FindCoordinatorApi, { keyType: 0, coordinatorKeys: [group] })).coordinators[0]!.errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED)
      await allow(Resource.GROUP, group, Op.READ)
      expect((await join(alice, group)).errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED)
      expect((await alice.request(FindCoordinatorApi, { keyType: 0, coordinatorKeys: [group] })).coordinators[0]!.errorCode).toBe(ErrorCode.NONE)
      expect((await commit(alice, group)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      await allow(Resource.TOPIC, topic, Op.READ)
      expect((await commit(alice, group)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE)
      expect((await fetchOffsets(alice, group)).groups[0]!.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, committedOffset: 1n })
    })

    it('DescribeGroups needs Describe and reports authorized operations; ListGroups shows only describable groups; DeleteGroups needs Delete', async () => {
      const mine = randomTopic('mine')
      const theirs = randomTopic('theirs')
      await allow(Resource.TOPIC, topic, Op.READ)
      expect((await commit(admin, mine)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE)
      expect((await commit(admin, theirs)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE)
      await allow(Resource.GROUP, mine, Op.READ)
      const described = await alice.request(DescribeGroupsApi, { groups: [mine, theirs], includeAuthorizedOperations: true })
      expect(described.groups.map((g) => [g.groupId, g.errorCode, g.authorizedOperations])).toEqual([
        [mine, ErrorCode.NONE, bits(Op.READ, Op.DESCRIBE)],
        [theirs, ErrorCode.GROUP_AUTHORIZATION_FAILED, -2147483648],
      ])
      const listed = (await alice.request(ListGroupsApi, {})).groups.map((g) => g.groupId)
      expect(listed).toContain(mine)
      expect(listed).not.toContain(theirs)
      expect((await admin.request(ListGroupsApi, {})).groups.map((g) => g.groupId)).toEqual(expect.arrayContaining([mine, theirs]))
      expect((await alice.request(DeleteGroupsApi, { groupsNames: [mine] })).results[0]!.errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED)
      await allow(Resource.GROUP, mine, Op.DELETE)
      expect((await alice.request(DeleteGroupsApi, { groupsNames: [mine] })).results[0]!.errorCode).toBe(ErrorCode.NONE)
    })
  })

  describe('transactional ids and idempotence', () => {
    it('InitProducerId needs Write on the transactional id, or for idempotence IdempotentWrite on the cluster or Write on some topic', async () => {
      const txnId = randomTopic('txn')
      const init = (transactionalId: string | null) => alice.request(InitProducerIdApi, { transactionalId, transactionTimeoutMs: 10_000, producerId: -1n, producerEpoch: -1 })
      expect((await init(txnId)).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
      expect((await init(null)).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
      await allow(Resource.TOPIC, topic, Op.WRITE)
      expect((await init(null)).errorCode).toBe(ErrorCode.NONE)
      await revokeAll(admin, ALICE)
      await allow(Resource.CLUSTER, 'kafka-cluster', Op.IDEMPOTENT_WRITE)
      expect((await init(null)).errorCode).toBe(ErrorCode.NONE)
      expect((await alice.request(FindCoordinatorApi, { keyType: 1, coordinatorKeys: [txnId] })).coordinators[0]!.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
      await allow(Resource.TRANSACTIONAL_ID, txnId, Op.WRITE)
      const { errorCode, producerId, producerEpoch } = await init(txnId)
      expect(errorCode).toBe(ErrorCode.NONE)
      expect((await alice.request(FindCoordinatorApi, { keyType: 1, coordinatorKeys: [txnId] })).coordinators[0]!.errorCode).toBe(ErrorCode.NONE)

      // The transaction's partitions need Write on their topics; the group's offsets Read on the group.
      const addPartitions = () => alice.request(AddPartitionsToTxnApi, { v3AndBelowTransactionalId: txnId, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch, v3AndBelowTopics: [{ name: topic, partitions: [0] }] }, { maxVersion: 3 })
      expect((await addPartitions()).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      await allow(Resource.TOPIC, topic, Op.WRITE)
      expect((await addPartitions()).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(ErrorCode.NONE)
      expect(await produceValues(alice, topic, ['with-txn-id'], txnId)).toBe(ErrorCode.NONE)
      const group = randomTopic('txn-group')
      expect((await alice.request(AddOffsetsToTxnApi, { transactionalId: txnId, producerId, producerEpoch, groupId: group })).errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED)
      expect((await alice.request(EndTxnApi, { transactionalId: txnId, producerId, producerEpoch, committed: false })).errorCode).toBe(ErrorCode.NONE)

      const other = randomTopic('other-txn')
      expect(await produceValues(alice, topic, ['x'], other)).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
      expect((await alice.request(EndTxnApi, { transactionalId: other, producerId, producerEpoch, committed: true })).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
    })
  })

  describe('the cluster', () => {
    it('broker configs, credentials, markers and cluster operations need rights on the cluster', async () => {
      const cluster = () => alice.request(DescribeClusterApi, { includeClusterAuthorizedOperations: true, endpointType: 1 })
      expect((await cluster()).clusterAuthorizedOperations).toBe(0)
      expect((await alice.request(DescribeUserScramCredentialsApi, { users: null })).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
      const upsert = { name: 'eve', mechanism: 1, iterations: 4096, salt: Buffer.alloc(16, 1), saltedPassword: Buffer.alloc(32, 2) }
      expect((await alice.request(AlterUserScramCredentialsApi, { deletions: [], upsertions: [upsert] })).results[0]!.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
      const markers = await alice.request(WriteTxnMarkersApi, { markers: [{ producerId: 1n, producerEpoch: 0, transactionResult: false, topics: [{ name: topic, partitionIndexes: [0] }], coordinatorEpoch: 0 }] })
      expect(markers.markers[0]!.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)

      await allow(Resource.CLUSTER, 'kafka-cluster', Op.ALTER)
      await allow(Resource.CLUSTER, 'kafka-cluster', Op.ALTER_CONFIGS)
      expect((await cluster()).clusterAuthorizedOperations).toBe(bits(Op.ALTER, Op.DESCRIBE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS))
      expect((await alice.request(DescribeUserScramCredentialsApi, { users: null })).errorCode).toBe(ErrorCode.NONE)
      expect((await alice.request(AlterUserScramCredentialsApi, { deletions: [], upsertions: [upsert] })).results[0]!.errorCode).toBe(ErrorCode.NONE)
      const described = await alice.request(DescribeConfigsApi, { resources: [{ resourceType: 4, resourceName: '0', configurationKeys: ['num.partitions'] }] })
      expect(described.results[0]!.errorCode).toBe(ErrorCode.NONE)
    })
  })
})
