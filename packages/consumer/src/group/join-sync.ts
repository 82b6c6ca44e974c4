import type { Cluster } from '@tributary/client'
import { ErrorCode, JoinGroupApi, KafkaError, SyncGroupApi, errorForCode } from '@tributary/protocol'

/** The protocol type of consumer groups. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer'

/** What a JoinGroup sends. */
export interface JoinRequest {
  groupId: string
  memberId: string
  groupInstanceId: string | null
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  /** Assignor names with this member's subscription for each, in preference order. */
  protocols: { name: string; metadata: Buffer }[]
  reason: string
}

/** A completed JoinGroup. */
export interface JoinResult {
  generationId: number
  protocolName: string
  leader: string
  memberId: string
  /** Every member's subscription; only the leader receives them. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[]
  /** A static leader rejoining a stable group may be told to keep the current assignment (v9). */
  skipAssignment: boolean
}

/**
 * JoinGroup against the group's coordinator, on a connection of its own (lane `rebalance`: the
 * request waits for the whole group, which must not hold up heartbeats or commits). Handles
 * MEMBER_ID_REQUIRED (KIP-394: join again with the id the coordinator assigned) and retries
 * coordinator moves and connection losses. Other errors are thrown, UNKNOWN_MEMBER_ID included
 * (the caller forgets its member id); an aborted `signal` throws an AbortError at once.
 */
export async function joinGroup(
  cluster: Cluster,
  request: JoinRequest,
  options: {
    requestTimeoutMs: number
    /** Abandons the join: the request in flight and the retries. */
    signal?: AbortSignal
    /** Called with the id the coordinator assigned (MEMBER_ID_REQUIRED) before joining again with it, so an abandoned join can still leave the group. */
    onMemberId?: (memberId: string) => void
  },
): Promise<JoinResult> {
  let memberId = request.memberId
  const coordinator = { type: 'group' as const, key: request.groupId }
  for (let attempt = 0; ; attempt++) {
    const response = await cluster.retry(
      async () => {
        const conn = await cluster.coordinatorConnection('group', request.groupId, { lane: 'rebalance', signal: options.signal })
        const version = conn.versionFor(JoinGroupApi)
        if (request.groupInstanceId !== null && version < 5) {
          throw new KafkaError(`The group coordinator ${conn.address} supports JoinGroup up to v${version}; static membership (groupInstanceId) needs v5`, { code: 'UNSUPPORTED_VERSION' })
        }
        const r = await conn.request(
          JoinGroupApi,
          {
            groupId: request.groupId,
            sessionTimeoutMs: request.sessionTimeoutMs,
            rebalanceTimeoutMs: request.rebalanceTimeoutMs,
            memberId,
            groupInstanceId: request.groupInstanceId,
            protocolType: CONSUMER_PROTOCOL_TYPE,
            protocols: request.protocols,
            reason: request.reason,
          },
          { version, timeoutMs: request.rebalanceTimeoutMs + options.requestTimeoutMs, signal: options.signal },
        )
        const error = errorForCode(r.errorCode, `joining group "${request.groupId}"`)
        if (error?.retriable) throw error
        return r
      },
      { coordinator, signal: options.signal },
    )
    if (response.errorCode === ErrorCode.MEMBER_ID_REQUIRED && attempt < 3) {
      memberId = response.memberId
      options.onMemberId?.(memberId)
      continue
    }
    const error = errorForCode(response.errorCode, `joining group "${request.groupId}"`)
    if (error) throw error
    return {
      generationId: response.generationId,
      protocolName: response.protocolName ?? '',
      leader: response.leader,
      memberId: response.memberId,
      members: response.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
      skipAssignment: response.skipAssignment,
    }
  }
}

/** What a SyncGroup sends. */
export interface SyncRequest {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
  protocolName: string
  /** The leader's assignment of every member; empty for followers. */
  assignments: { memberId: string; assignment: Buffer }[]
  rebalanceTimeoutMs: number
}

/**
 * SyncGroup: the leader sends every member's assignment, everyone receives their own. Retries
 * coordinator moves and connection losses; throws the rest (REBALANCE_IN_PROGRESS means rejoin).
 */
export async function syncGroup(cluster: Cluster, request: SyncRequest, options: { requestTimeoutMs: number; signal?: AbortSignal }): Promise<Buffer> {
  const coordinator = { type: 'group' as const, key: request.groupId }
  return cluster.retry(
    async () => {
      const conn = await cluster.coordinatorConnection('group', request.groupId, { lane: 'rebalance', signal: options.signal })
      const r = await conn.request(
        SyncGroupApi,
        {
          groupId: request.groupId,
          generationId: request.generationId,
          memberId: request.memberId,
          groupInstanceId: request.groupInstanceId,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocolName: request.protocolName,
          assignments: request.assignments,
        },
        { timeoutMs: request.rebalanceTimeoutMs + options.requestTimeoutMs, signal: options.signal },
      )
      const error = errorForCode(r.errorCode, `syncing group "${request.groupId}"`)
      if (error) throw error
      return r.assignment
    },
    { coordinator, signal: options.signal },
  )
}
