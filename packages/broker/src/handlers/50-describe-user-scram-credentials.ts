/**
 * DescribeUserScramCredentials (API key 50), version 0.
 *
 * Lists users' SCRAM credentials: per user, the mechanisms (1 SCRAM-SHA-256, 2 SCRAM-SHA-512) and
 * their iteration counts; never salts or keys. A null or empty user list describes every user. A
 * listed user without credentials answers RESOURCE_NOT_FOUND, a user listed twice
 * DUPLICATE_RESOURCE. Needs Describe on the cluster (CLUSTER_AUTHORIZATION_FAILED for the whole
 * request).
 */
import { DescribeUserScramCredentialsApi, ErrorCode } from '@tributary/protocol'
import { AclOperation, authorizeCluster } from '../security/access.js'
import { SCRAM_MECHANISMS } from '../security/scram/credential.js'
import { defineHandler } from './handler.js'

export const describeUserScramCredentialsHandler = defineHandler({
  api: DescribeUserScramCredentialsApi,
  minVersion: 0,
  maxVersion: DescribeUserScramCredentialsApi.maxVersion,

  handle(request, ctx) {
    if (!authorizeCluster(ctx, AclOperation.DESCRIBE)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Describing SCRAM credentials needs Describe on the cluster', results: [] }
    }
    const store = ctx.broker.security.credentials
    const infos = (creds: { mechanism: keyof typeof SCRAM_MECHANISMS; iterations: number }[]) => creds.map((c) => ({ mechanism: SCRAM_MECHANISMS[c.mechanism].code, iterations: c.iterations }))
    if (request.users === null || request.users.length === 0) {
      const results = store.list().map((u) => ({ user: u.user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: infos(u.credentials) }))
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results }
    }
    const counts = new Map<string, number>()
    for (const u of request.users) counts.set(u.name, (counts.get(u.name) ?? 0) + 1)
    const seen = new Set<string>()
    const results = request.users
      .filter((u) => !seen.has(u.name) && seen.add(u.name))
      .map(({ name: user }) => {
        if (counts.get(user)! > 1) return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `User ${user} is listed more than once`, credentialInfos: [] }
        const creds = store.describe(user)
        if (!creds) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `User ${user} has no SCRAM credential`, credentialInfos: [] }
        return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: infos(creds) }
      })
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results }
  },

  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, results: [] }
  },
})
