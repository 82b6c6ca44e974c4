/**
 * ApiVersions (API key 18), versions 0-4.
 *
 * Behaviour:
 * - Answers the API keys and version ranges of the handler registry, so what is advertised is
 *   exactly what is served.
 * - v3+: the client's software name and version are checked against Kafka's pattern (letters and
 *   digits, with '-' and '.' inside) and remembered on the connection; a bad one answers
 *   INVALID_REQUEST (with the version list, so the client can still proceed).
 * - A version this broker does not know is answered by the connection itself, before decoding: a v0
 *   body with UNSUPPORTED_VERSION and the version list, so the client can retry with a version it
 *   finds there (see `server/connection.ts`).
 * - No feature flags are advertised (a single broker has no finalized features).
 */
import { ApiVersionsApi, ErrorCode } from '@tributary/protocol'
import { defineHandler } from './handler.js'

const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/

export const apiVersionsHandler = defineHandler({
  api: ApiVersionsApi,
  minVersion: 0,
  maxVersion: ApiVersionsApi.maxVersion,

  handle(request, ctx) {
    const apiKeys = ctx.broker.handlers.apiVersions()
    if (ctx.apiVersion >= 3) {
      const { clientSoftwareName: name, clientSoftwareVersion: version } = request
      if (!SOFTWARE_PATTERN.test(name) || !SOFTWARE_PATTERN.test(version)) {
        return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys, throttleTimeMs: 0 }
      }
      ctx.connection.clientSoftware = { name, version }
    }
    return { errorCode: ErrorCode.NONE, apiKeys, throttleTimeMs: 0 }
  },

  errorResponse(_request, errorCode, ctx) {
    return { errorCode, apiKeys: ctx.broker.handlers.apiVersions(), throttleTimeMs: 0 }
  },
})
