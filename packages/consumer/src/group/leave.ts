import type { Cluster } from '@tributary/client'
import { LeaveGroupApi, errorForCode } from '@tributary/protocol'
import { untilAborted } from '../close.js'

/**
 * LeaveGroup: tells the coordinator this member is going, so the group rebalances at once instead of
 * after the session timeout. Static members never send it (Kafka's rule: their partitions wait for
 * them through restarts until the session times out). Best effort: failures are returned, not thrown.
 * Bounded by `timeoutMs` once sent, and given up (returning its reason) when `signal` aborts.
 */
export async function leaveGroup(cluster: Cluster, groupId: string, memberId: string, reason: string, timeoutMs: number, signal: AbortSignal): Promise<Error | undefined> {
  if (signal.aborted) return signal.reason as Error
  const leave = async () => {
    const conn = await cluster.coordinatorConnection('group', groupId)
    const response = await conn.request(
      LeaveGroupApi,
      (v) => (v >= 3 ? { groupId, members: [{ memberId, groupInstanceId: null, reason }] } : { groupId, memberId }),
      { timeoutMs },
    )
    return errorForCode(response.errorCode, `leaving group "${groupId}"`) ?? response.members.map((m) => errorForCode(m.errorCode, `leaving group "${groupId}"`)).find((e) => e) ?? undefined
  }
  try {
    return await untilAborted(leave(), signal)
  } catch (err) {
    return err as Error
  }
}
