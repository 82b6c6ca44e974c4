import { ErrorCode } from '@tributary/protocol'

/** The leader epoch of every partition: there is one broker, and leadership never moves. */
export const LEADER_EPOCH = 0

/**
 * Checks a request's `currentLeaderEpoch` against this broker's: -1 skips the check, a newer epoch
 * than ours is UNKNOWN_LEADER_EPOCH (the client knows of a leader this broker does not), an older
 * one FENCED_LEADER_EPOCH. Returns the error code, 0 when the epoch is fine.
 */
export function leaderEpochError(currentLeaderEpoch: number): number {
  if (currentLeaderEpoch < 0 || currentLeaderEpoch === LEADER_EPOCH) return ErrorCode.NONE
  return currentLeaderEpoch > LEADER_EPOCH ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH
}
