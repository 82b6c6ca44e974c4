import { ErrorCode } from '@tributary/protocol'
import type { TxnResult } from '../transactions/runtime.js'

/**
 * The numeric error code for a transaction coordinator answer. PRODUCER_FENCED exists on the wire
 * only from the version given in `fencedSince` (KIP-588); older versions get INVALID_PRODUCER_EPOCH,
 * which their clients read as fencing, as Kafka answers them.
 */
export function txnErrorCode(result: TxnResult, apiVersion: number, fencedSince: number): number {
  if (result === 'PRODUCER_FENCED' && apiVersion < fencedSince) return ErrorCode.INVALID_PRODUCER_EPOCH
  return ErrorCode[result]
}
