import { KafkaError } from '@tributary/protocol'
import { produceHandler } from './00-produce.js'
import { fetchHandler } from './01-fetch.js'
import { listOffsetsHandler } from './02-list-offsets.js'
import { metadataHandler } from './03-metadata.js'
import { offsetCommitHandler } from './08-offset-commit.js'
import { offsetFetchHandler } from './09-offset-fetch.js'
import { findCoordinatorHandler } from './10-find-coordinator.js'
import { joinGroupHandler } from './11-join-group.js'
import { heartbeatHandler } from './12-heartbeat.js'
import { leaveGroupHandler } from './13-leave-group.js'
import { syncGroupHandler } from './14-sync-group.js'
import { describeGroupsHandler } from './15-describe-groups.js'
import { listGroupsHandler } from './16-list-groups.js'
import { saslHandshakeHandler } from './17-sasl-handshake.js'
import { apiVersionsHandler } from './18-api-versions.js'
import { createTopicsHandler } from './19-create-topics.js'
import { deleteTopicsHandler } from './20-delete-topics.js'
import { deleteRecordsHandler } from './21-delete-records.js'
import { initProducerIdHandler } from './22-init-producer-id.js'
import { offsetForLeaderEpochHandler } from './23-offset-for-leader-epoch.js'
import { addPartitionsToTxnHandler } from './24-add-partitions-to-txn.js'
import { addOffsetsToTxnHandler } from './25-add-offsets-to-txn.js'
import { endTxnHandler } from './26-end-txn.js'
import { writeTxnMarkersHandler } from './27-write-txn-markers.js'
import { txnOffsetCommitHandler } from './28-txn-offset-commit.js'
import { describeAclsHandler } from './29-describe-acls.js'
import { createAclsHandler } from './30-create-acls.js'
import { deleteAclsHandler } from './31-delete-acls.js'
import { describeConfigsHandler } from './32-describe-configs.js'
import { alterConfigsHandler } from './33-alter-configs.js'
import { saslAuthenticateHandler } from './36-sasl-authenticate.js'
import { createPartitionsHandler } from './37-create-partitions.js'
import { deleteGroupsHandler } from './42-delete-groups.js'
import { incrementalAlterConfigsHandler } from './44-incremental-alter-configs.js'
import { offsetDeleteHandler } from './47-offset-delete.js'
import { describeUserScramCredentialsHandler } from './50-describe-user-scram-credentials.js'
import { alterUserScramCredentialsHandler } from './51-alter-user-scram-credentials.js'
import { describeClusterHandler } from './60-describe-cluster.js'
import { describeProducersHandler } from './61-describe-producers.js'
import { describeTransactionsHandler } from './65-describe-transactions.js'
import { listTransactionsHandler } from './66-list-transactions.js'
import type { AnyHandler } from './handler.js'

/**
 * Every API this broker serves. To serve another, add a file named like the protocol module
 * (`handlers/11-join-group.ts`) exporting a handler built with `defineHandler`, and list it here:
 * ApiVersions advertises it from then on.
 */
export const BROKER_HANDLERS: readonly AnyHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  saslHandshakeHandler,
  apiVersionsHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  deleteRecordsHandler,
  initProducerIdHandler,
  offsetForLeaderEpochHandler,
  addPartitionsToTxnHandler,
  addOffsetsToTxnHandler,
  endTxnHandler,
  writeTxnMarkersHandler,
  txnOffsetCommitHandler,
  describeAclsHandler,
  createAclsHandler,
  deleteAclsHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  saslAuthenticateHandler,
  createPartitionsHandler,
  deleteGroupsHandler,
  incrementalAlterConfigsHandler,
  offsetDeleteHandler,
  describeUserScramCredentialsHandler,
  alterUserScramCredentialsHandler,
  describeClusterHandler,
  describeProducersHandler,
  describeTransactionsHandler,
  listTransactionsHandler,
]

/** One ApiVersions entry. */
export interface ApiVersionRange {
  apiKey: number
  minVersion: number
  maxVersion: number
}

/**
 * The handlers of one broker by API key. ApiVersions answers from {@link apiVersions}, so what is
 * advertised is exactly what is served.
 */
export class HandlerRegistry {
  private readonly byKey = new Map<number, AnyHandler>()
  private readonly ranges: ApiVersionRange[]

  /** @throws KafkaError `INVALID_CONFIG` for two handlers of one key or a range the codec cannot carry. */
  constructor(handlers: readonly AnyHandler[] = BROKER_HANDLERS) {
    for (const h of handlers) {
      const { apiKey, name, minVersion, maxVersion } = h.api
      if (this.byKey.has(apiKey)) throw new KafkaError(`Two handlers for ${name} (API key ${apiKey})`, { code: 'INVALID_CONFIG' })
      if (!(h.minVersion >= minVersion && h.maxVersion <= maxVersion && h.minVersion <= h.maxVersion)) {
        throw new KafkaError(`The ${name} handler's versions ${h.minVersion}-${h.maxVersion} are not within the codec's ${minVersion}-${maxVersion}`, { code: 'INVALID_CONFIG' })
      }
      this.byKey.set(apiKey, h)
    }
    this.ranges = [...this.byKey.values()].map((h) => ({ apiKey: h.api.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion })).sort((a, b) => a.apiKey - b.apiKey)
  }

  /** The handler of an API key, or undefined when this broker does not serve it. */
  get(apiKey: number): AnyHandler | undefined {
    return this.byKey.get(apiKey)
  }

  /** What ApiVersions advertises, by API key. */
  apiVersions(): ApiVersionRange[] {
    return this.ranges.map((r) => ({ ...r }))
  }
}
