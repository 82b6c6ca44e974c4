/**
 * AlterUserScramCredentials (API key 51), version 0.
 *
 * Creates, replaces and deletes users' SCRAM credentials (see `security/scram/`). An upsertion
 * carries the salt, the iteration count and the salted password the client computed with PBKDF2;
 * the broker derives StoredKey and ServerKey from it and keeps only those with the salt and
 * iterations, persisted in the data directory before the answer. The password never reaches the
 * broker.
 *
 * One result per user named, and a user's changes apply all or none. Per user:
 * UNACCEPTABLE_CREDENTIAL (empty name, iterations outside 4096-16384, empty salt, a salted
 * password of the wrong length), UNSUPPORTED_SASL_MECHANISM (a mechanism other than 1 SCRAM-SHA-256
 * or 2 SCRAM-SHA-512), DUPLICATE_RESOURCE (one user and mechanism changed twice), RESOURCE_NOT_FOUND
 * (deleting a credential that does not exist). Needs Alter on the cluster
 * (CLUSTER_AUTHORIZATION_FAILED for every user).
 */
import { AlterUserScramCredentialsApi, ErrorCode } from '@tributary/protocol'
import { AclOperation, authorizeCluster } from '../security/access.js'
import { MAX_ITERATIONS, MIN_ITERATIONS, SCRAM_MECHANISMS, credentialFromSaltedPassword, scramMechanismOfCode } from '../security/scram/credential.js'
import type { CredentialChange } from '../security/scram/credential-store.js'
import { errorCodeOf, errorMessageOf } from './errors.js'
import { defineHandler } from './handler.js'

interface Alteration {
  user: string
  mechanism: number
  upsert?: { iterations: number; salt: Buffer; saltedPassword: Buffer }
}

interface UserResult {
  user: string
  errorCode: number
  errorMessage: string | null
}

export const alterUserScramCredentialsHandler = defineHandler({
  api: AlterUserScramCredentialsApi,
  minVersion: 0,
  maxVersion: AlterUserScramCredentialsApi.maxVersion,

  handle(request, ctx) {
    const alterations: Alteration[] = [
      ...request.deletions.map((d) => ({ user: d.name, mechanism: d.mechanism })),
      ...request.upsertions.map((u) => ({ user: u.name, mechanism: u.mechanism, upsert: { iterations: u.iterations, salt: u.salt, saltedPassword: u.saltedPassword } })),
    ]
    const users = [...new Set(alterations.map((a) => a.user))]
    if (!authorizeCluster(ctx, AclOperation.ALTER)) {
      return { throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Changing SCRAM credentials needs Alter on the cluster' })) }
    }
    const store = ctx.broker.security.credentials
    const results = new Map<string, UserResult>()
    const changes = new Map<string, CredentialChange[]>()
    for (const user of users) {
      const mine = alterations.filter((a) => a.user === user)
      const problem = checkUser(user, mine, (mechanism) => store.get(user, mechanism) !== undefined)
      if (problem) results.set(user, { user, ...problem })
      else changes.set(user, mine.map((a) => toChange(a)))
    }
    const applied = [...changes.values()].flat()
    try {
      store.apply(applied)
      for (const user of changes.keys()) results.set(user, { user, errorCode: ErrorCode.NONE, errorMessage: null })
      if (applied.length > 0) {
        const what = applied.map((c) => `${c.user} ${c.mechanism} ${c.credential ? `set (${c.credential.iterations} iterations)` : 'deleted'}`).join(', ')
        ctx.broker.logger.info(`SCRAM credentials changed: ${what} (AlterUserScramCredentials from client ${JSON.stringify(ctx.clientId)})`)
      }
    } catch (err) {
      const errorCode = errorCodeOf(err, ctx, 'storing SCRAM credentials')
      for (const user of changes.keys()) results.set(user, { user, errorCode, errorMessage: errorMessageOf(err) })
    }
    return { throttleTimeMs: 0, results: users.map((user) => results.get(user)!) }
  },

  errorResponse(request, errorCode) {
    const users = [...new Set([...request.deletions.map((d) => d.name), ...request.upsertions.map((u) => u.name)])]
    return { throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode, errorMessage: null })) }
  },
})

function checkUser(user: string, alterations: readonly Alteration[], exists: (mechanism: keyof typeof SCRAM_MECHANISMS) => boolean): { errorCode: number; errorMessage: string } | undefined {
  const fail = (errorCode: number, errorMessage: string) => ({ errorCode, errorMessage })
  if (user === '') return fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'The user name must not be empty')
  const codes = alterations.map((a) => a.mechanism)
  const twice = codes.find((code, i) => codes.indexOf(code) !== i)
  if (twice !== undefined) return fail(ErrorCode.DUPLICATE_RESOURCE, `The ${scramMechanismOfCode(twice) ?? `mechanism ${twice}`} credential of ${user} is changed more than once in the request`)
  for (const a of alterations) {
    const mechanism = scramMechanismOfCode(a.mechanism)
    if (!mechanism) return fail(ErrorCode.UNSUPPORTED_SASL_MECHANISM, `Unknown SCRAM mechanism ${a.mechanism}; expected 1 (SCRAM-SHA-256) or 2 (SCRAM-SHA-512)`)
    if (!a.upsert) {
      if (!exists(mechanism)) return fail(ErrorCode.RESOURCE_NOT_FOUND, `${user} has no ${mechanism} credential to delete`)
      continue
    }
    const { iterations, salt, saltedPassword } = a.upsert
    if (iterations < MIN_ITERATIONS) return fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, `${iterations} iterations are too few for ${mechanism}; use ${MIN_ITERATIONS} to ${MAX_ITERATIONS}`)
    if (iterations > MAX_ITERATIONS) return fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, `${iterations} iterations are too many for ${mechanism}; use ${MIN_ITERATIONS} to ${MAX_ITERATIONS}`)
    if (salt.length === 0) return fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, `The ${mechanism} salt of ${user} is empty`)
    if (saltedPassword.length !== SCRAM_MECHANISMS[mechanism].keyLength) {
      return fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, `The ${mechanism} salted password of ${user} has ${saltedPassword.length} bytes; PBKDF2 with ${SCRAM_MECHANISMS[mechanism].hash} gives ${SCRAM_MECHANISMS[mechanism].keyLength}`)
    }
  }
  return undefined
}

function toChange(a: Alteration): CredentialChange {
  const mechanism = scramMechanismOfCode(a.mechanism)!
  const credential = a.upsert ? credentialFromSaltedPassword(mechanism, a.upsert.salt, a.upsert.iterations, a.upsert.saltedPassword) : null
  return { user: a.user, mechanism, credential }
}
