import {
  ConsumerProtocolAssignmentCodec,
  DeleteGroupsApi,
  DescribeGroupsApi,
  KafkaError,
  ListGroupsApi,
  Reader,
  errorForCode,
} from '@tributary/protocol'
import type { Cluster } from '../cluster/cluster.js'
import type { BrokerNode } from '../cluster/metadata.js'
import type { Connection } from '../connection/connection.js'
import { fetchMetadata } from './routing.js'
import { settle, type AdminCallOptions, type Outcomes } from './settle.js'

export interface ListedGroup {
  groupId: string
  /** `'consumer'` for consumer groups; empty for groups that only commit offsets. */
  protocolType: string
  /** e.g. `'Stable'`, `'Empty'` (ListGroups v4+), else `''`. */
  state: string
  /** `'classic'` or `'consumer'` (ListGroups v5+), else `''`. */
  type: string
  /** The node id of the coordinator that reported the group. */
  coordinator: number
}

export interface GroupMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  /** The partitions assigned to the member, decoded for consumer groups; null when not decodable. */
  assignment: { topic: string; partitions: number[] }[] | null
  metadata: Buffer
  rawAssignment: Buffer
}

export interface GroupDescription {
  groupId: string
  /** `'Stable'`, `'PreparingRebalance'`, `'CompletingRebalance'`, `'Empty'` or `'Dead'` (a group that does not exist). */
  state: string
  protocolType: string
  /** The assignor chosen, e.g. `'range'`. */
  protocol: string
  members: GroupMember[]
  coordinator: BrokerNode
}

/** See {@link Admin.listGroups}: asks every broker, as each lists only the groups it coordinates. */
export async function listGroups(cluster: Cluster, options: AdminCallOptions & { states?: string[]; types?: string[] } = {}): Promise<ListedGroup[]> {
  const meta = await cluster.retry(() => fetchMetadata(cluster, []), options)
  const nodes = [...meta.brokers.keys()]
  const results = await settle(
    cluster,
    'listGroups',
    nodes,
    (n) => `/brokers/${n}`,
    async (pending) => {
      const outcomes: Outcomes<number, ListedGroup[]> = new Map()
      await Promise.all(
        pending.map(async (nodeId) => {
          try {
            const conn = await cluster.connectionTo(nodeId)
            const response = await conn.request(ListGroupsApi, { statesFilter: options.states ?? [], typesFilter: options.types ?? [] })
            const error = errorForCode(response.errorCode, `listing groups on node ${nodeId}`)
            outcomes.set(
              nodeId,
              error ?? response.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState, type: g.groupType, coordinator: nodeId })),
            )
          } catch (err) {
            if (!(err instanceof KafkaError)) throw err
            outcomes.set(nodeId, err)
          }
        }),
      )
      return outcomes
    },
    options,
  )
  return [...results.values()].flat().sort((a, b) => a.groupId.localeCompare(b.groupId))
}

/**
 * Runs `send` once per coordinator for the groups it coordinates, finding coordinators in one batched
 * lookup. Coordinator errors (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, a lost connection) make the
 * cached coordinator of the affected groups forgotten, so a retry looks them up again.
 */
async function perCoordinator<R>(
  cluster: Cluster,
  groupIds: readonly string[],
  send: (conn: Connection, node: BrokerNode, groups: string[]) => Promise<Outcomes<string, R>>,
): Promise<Outcomes<string, R>> {
  const coordinators = await cluster.coordinatorsFor('group', groupIds)
  const outcomes: Outcomes<string, R> = new Map()
  const byNode = new Map<string, { node: BrokerNode; groups: string[] }>()
  groupIds.forEach((groupId, i) => {
    const c = coordinators[i]!
    if (c instanceof KafkaError) {
      outcomes.set(groupId, c)
      return
    }
    const key = `${c.host}:${c.port}`
    const entry = byNode.get(key) ?? { node: c, groups: [] }
    entry.groups.push(groupId)
    byNode.set(key, entry)
  })
  await Promise.all(
    [...byNode.values()].map(async ({ node, groups }) => {
      try {
        const conn = await cluster.connectionToAddress(node)
        for (const [k, v] of await send(conn, node, groups)) outcomes.set(k, v)
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err
        for (const g of groups) outcomes.set(g, err)
      }
    }),
  )
  for (const [groupId, outcome] of outcomes) {
    if (outcome instanceof KafkaError) cluster.handleError(outcome, { coordinator: { type: 'group', key: groupId } })
  }
  return outcomes
}

/** See {@link Admin.describeGroups}. */
export async function describeGroups(cluster: Cluster, groupIds: readonly string[], options: AdminCallOptions = {}): Promise<GroupDescription[]> {
  const results = await settle(
    cluster,
    'describeGroups',
    groupIds,
    (g) => `/groups/${g}`,
    (pending) =>
      perCoordinator(cluster, pending, async (conn, node, groups) => {
        const response = await conn.request(DescribeGroupsApi, { groups })
        const out: Outcomes<string, GroupDescription> = new Map()
        for (const g of response.groups) {
          out.set(
            g.groupId,
            errorForCode(g.errorCode, `group "${g.groupId}"`) ?? {
              groupId: g.groupId,
              state: g.groupState,
              protocolType: g.protocolType,
              protocol: g.protocolData,
              coordinator: node,
              members: g.members.map((m) => ({
                memberId: m.memberId,
                groupInstanceId: m.groupInstanceId,
                clientId: m.clientId,
                clientHost: m.clientHost,
                assignment: g.protocolType === 'consumer' ? decodeAssignment(m.memberAssignment) : null,
                metadata: m.memberMetadata,
                rawAssignment: m.memberAssignment,
              })),
            },
          )
        }
        return out
      }),
    options,
  )
  return groupIds.map((g) => results.get(g)!)
}

/** See {@link Admin.deleteGroups}. */
export async function deleteGroups(cluster: Cluster, groupIds: readonly string[], options: AdminCallOptions = {}): Promise<void> {
  await settle(
    cluster,
    'deleteGroups',
    groupIds,
    (g) => `/groups/${g}`,
    (pending) =>
      perCoordinator(cluster, pending, async (conn, _node, groups) => {
        const response = await conn.request(DeleteGroupsApi, { groupsNames: groups })
        return new Map(response.results.map((r) => [r.groupId, errorForCode(r.errorCode, `group "${r.groupId}"`) ?? true]))
      }),
    options,
  )
}

/** A consumer group's assignment bytes: int16 version, then the ConsumerProtocolAssignment of that version. */
function decodeAssignment(bytes: Buffer): { topic: string; partitions: number[] }[] | null {
  if (bytes.length < 2) return bytes.length === 0 ? [] : null
  try {
    const r = new Reader(bytes)
    const version = Math.min(r.int16(), ConsumerProtocolAssignmentCodec.maxVersion)
    return ConsumerProtocolAssignmentCodec.decode(r, version).assignedPartitions.map((a) => ({ topic: a.topic, partitions: a.partitions }))
  } catch {
    return null
  }
}
