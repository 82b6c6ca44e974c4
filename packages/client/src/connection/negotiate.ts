import { ApiVersionsApi, ErrorCode, decodeResponseFrame, errorForCode, type ApiVersionsResponse } from '@tributary/protocol'
import { CLIENT_SOFTWARE_NAME, CLIENT_SOFTWARE_VERSION } from '../version.js'
import type { Connection } from './connection.js'
import { ApiVersionTable } from './versions.js'

/**
 * Asks the broker which API versions it supports: ApiVersions at the newest version this client knows;
 * a broker that does not know that version answers UNSUPPORTED_VERSION in the v0 format, listing its
 * own ApiVersions range, and the request is repeated at the highest version both support (v0 if the
 * broker lists none).
 */
export async function negotiateApiVersions(conn: Connection): Promise<ApiVersionTable> {
  let version = ApiVersionsApi.maxVersion
  for (;;) {
    const body = { clientSoftwareName: CLIENT_SOFTWARE_NAME, clientSoftwareVersion: CLIENT_SOFTWARE_VERSION }
    const response = await conn.exchange(ApiVersionsApi, version, body, (frame) => decodeApiVersions(frame, version))
    if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
      const offered = response.apiKeys.find((k) => k.apiKey === ApiVersionsApi.apiKey)
      const next = offered ? Math.min(offered.maxVersion, ApiVersionsApi.maxVersion) : 0
      if (next >= version) {
        throw errorForCode(response.errorCode, `broker ${conn.address} rejected ApiVersions v${version} but offers up to v${next}`)!
      }
      version = next
      continue
    }
    const error = errorForCode(response.errorCode, `ApiVersions v${version} from broker ${conn.address}`)
    if (error) throw error
    return new ApiVersionTable(response.apiKeys, conn.address)
  }
}

/**
 * Decodes an ApiVersions response. An UNSUPPORTED_VERSION answer is always in the v0 format whatever
 * version was asked, so the error code (the first field after the header, which is v0 for ApiVersions
 * at every version) is read first.
 */
function decodeApiVersions(frame: Buffer, version: number): ApiVersionsResponse {
  const errorCode = frame.length >= 6 ? frame.readInt16BE(4) : 0
  const decodeAs = errorCode === ErrorCode.UNSUPPORTED_VERSION ? 0 : version
  return decodeResponseFrame(ApiVersionsApi, decodeAs, frame).body
}
