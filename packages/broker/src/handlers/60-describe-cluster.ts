/**
 * DescribeCluster (API key 60), versions 0-1.
 *
 * Answers the cluster id, this node as the only broker (at the host and port advertised by the
 * listener the request came in on) and as the controller id, and (when asked) the cluster's
 * authorized operations: from the ACLs, 0 without Describe on the cluster, every operation when
 * the authorizer is off. v1 `endpointType` 1 (brokers) is served; 2 (controllers) answers
 * UNSUPPORTED_ENDPOINT_TYPE, as a Kafka broker does.
 */
import { DescribeClusterApi, ErrorCode } from '@tributary/protocol'
import { clusterAuthorizedOperations, endpointFor } from '../security/access.js'
import { OPERATIONS_NOT_REQUESTED } from './authorized-operations.js'
import { defineHandler } from './handler.js'

const BROKERS_ENDPOINT = 1

export const describeClusterHandler = defineHandler({
  api: DescribeClusterApi,
  minVersion: 0,
  maxVersion: DescribeClusterApi.maxVersion,

  handle(request, ctx) {
    const b = ctx.broker
    if (ctx.apiVersion >= 1 && request.endpointType !== BROKERS_ENDPOINT) {
      return { errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: `Endpoint type ${request.endpointType} is not served by a broker; ask for brokers (1)`, endpointType: request.endpointType, clusterId: b.clusterId }
    }
    const { nodeId, host, port } = endpointFor(ctx)
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      clusterId: b.clusterId,
      controllerId: b.nodeId,
      brokers: [{ brokerId: nodeId, host, port, rack: null }],
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? clusterAuthorizedOperations(ctx) : OPERATIONS_NOT_REQUESTED,
    }
  },

  errorResponse(request, errorCode, ctx) {
    return { errorCode, errorMessage: null, clusterId: ctx.broker.clusterId, endpointType: ctx.apiVersion >= 1 ? request.endpointType : 1 }
  },
})
