import { ErrorCode, HeartbeatApi, JoinGroupApi, LeaveGroupApi, SyncGroupApi, type JoinGroupResponse, type SyncGroupResponse } from '@tributary/protocol'
import { RawClient } from '@tributary/testkit'

/** What a raw member joins with. */
export interface RawMemberOptions {
  groupId: string
  sessionTimeoutMs?: number
  rebalanceTimeoutMs?: number
  groupInstanceId?: string | null
  protocolType?: string
  protocols: { name: string; metadata: Buffer }[]
  clientId?: string
}

/**
 * A group member speaking raw JoinGroup / SyncGroup / Heartbeat / LeaveGroup on its own connection
 * (a parked JoinGroup holds up the answers behind it on a connection), remembering its member id
 * and generation like a client would, so tests can drive the coordinator step by step.
 */
export class RawMember {
  memberId = ''
  generationId = -1
  lastJoin: JoinGroupResponse | undefined

  private constructor(
    readonly client: RawClient,
    readonly o: RawMemberOptions,
  ) {}

  static async connect(port: number, options: RawMemberOptions): Promise<RawMember> {
    return new RawMember(await RawClient.connect(port), options)
  }

  get groupInstanceId(): string | null {
    return this.o.groupInstanceId ?? null
  }

  /** Sends one JoinGroup as it stands (no retry on MEMBER_ID_REQUIRED). */
  async joinOnce(version = 5, overrides: Partial<RawMemberOptions> = {}): Promise<JoinGroupResponse> {
    const o = { ...this.o, ...overrides }
    const res = await this.client.request(
      JoinGroupApi,
      version,
      {
        groupId: o.groupId,
        sessionTimeoutMs: o.sessionTimeoutMs ?? 10_000,
        rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? 5_000,
        memberId: this.memberId,
        groupInstanceId: version >= 5 ? (o.groupInstanceId ?? null) : null,
        protocolType: o.protocolType ?? 'consumer',
        protocols: o.protocols,
      },
      { clientId: o.clientId ?? 'raw-member', timeoutMs: 20_000 },
    )
    this.lastJoin = res
    if (res.errorCode === ErrorCode.NONE || res.errorCode === ErrorCode.MEMBER_ID_REQUIRED) this.memberId = res.memberId
    if (res.errorCode === ErrorCode.NONE) this.generationId = res.generationId
    return res
  }

  /** Joins, answering MEMBER_ID_REQUIRED with the id it carries, as clients do. */
  async join(version = 5, overrides: Partial<RawMemberOptions> = {}): Promise<JoinGroupResponse> {
    const first = await this.joinOnce(version, overrides)
    return first.errorCode === ErrorCode.MEMBER_ID_REQUIRED ? this.joinOnce(version, overrides) : first
  }

  sync(assignments: { memberId: string; assignment: Buffer }[] = [], version = 3): Promise<SyncGroupResponse> {
    return this.client.request(
      SyncGroupApi,
      version,
      { groupId: this.o.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: version >= 3 ? this.groupInstanceId : null, assignments },
      { timeoutMs: 20_000 },
    )
  }

  async heartbeat(version = 3): Promise<number> {
    const res = await this.client.request(HeartbeatApi, version, { groupId: this.o.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: version >= 3 ? this.groupInstanceId : null })
    return res.errorCode
  }

  async leave(): Promise<number> {
    const res = await this.client.request(LeaveGroupApi, 3, { groupId: this.o.groupId, members: [{ memberId: this.memberId, groupInstanceId: this.groupInstanceId }] })
    return res.members[0]?.errorCode ?? res.errorCode
  }

  close(): Promise<void> {
    return this.client.close()
  }
}
