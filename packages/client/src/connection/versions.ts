import { apiByKey, type AnyApiDefinition } from '@tributary/protocol'
import { UnsupportedVersionError } from '../errors/client-errors.js'

/** A version range a broker advertises for one API key. */
export interface VersionRange {
  minVersion: number
  maxVersion: number
}

/** What version choice needs to know of an API definition (any `ApiDefinition` fits). */
export type ApiIdentity = Pick<AnyApiDefinition, 'apiKey' | 'name' | 'minVersion' | 'maxVersion'>

/**
 * The API versions one broker advertised in its ApiVersions response, and the choice of version for
 * each request: the highest version both the broker and this client's codec support.
 *
 * @example
 * ```ts
 * conn.versions.versionFor(MetadataApi) // 12 against Kafka 3.x
 * conn.versions.supports(DescribeClusterApi) // false against an old broker
 * ```
 */
export class ApiVersionTable {
  private readonly ranges: ReadonlyMap<number, VersionRange>

  constructor(
    ranges: Iterable<{ apiKey: number; minVersion: number; maxVersion: number }>,
    /** The broker, for error messages. */
    readonly broker: string,
  ) {
    this.ranges = new Map([...ranges].map((r) => [r.apiKey, { minVersion: r.minVersion, maxVersion: r.maxVersion }]))
  }

  /** The broker's advertised range for an API key, or undefined when it does not offer the API. */
  range(apiKey: number): VersionRange | undefined {
    return this.ranges.get(apiKey)
  }

  /** True when the broker offers the API at a version this client can speak (at most `maxVersion`, if given). */
  supports(api: ApiIdentity, maxVersion?: number): boolean {
    return this.overlap(api, maxVersion) !== undefined
  }

  /**
   * The highest version of `api` both sides support, optionally capped at `maxVersion`. Throws
   * {@link UnsupportedVersionError} naming the API and both ranges when there is none.
   */
  versionFor(api: ApiIdentity, maxVersion?: number): number {
    const version = this.overlap(api, maxVersion)
    if (version !== undefined) return version
    const ours = `${api.minVersion}-${Math.min(api.maxVersion, maxVersion ?? api.maxVersion)}`
    const theirs = this.ranges.get(api.apiKey)
    if (!theirs) {
      throw new UnsupportedVersionError(
        `Broker ${this.broker} does not support ${api.name} (API key ${api.apiKey}); this client needs versions ${ours}. Upgrade the broker or avoid this operation.`,
      )
    }
    throw new UnsupportedVersionError(
      `No common version of ${api.name} (API key ${api.apiKey}): broker ${this.broker} supports versions ${theirs.minVersion}-${theirs.maxVersion}, this client supports ${ours}`,
    )
  }

  /** Every advertised range, with the API's name where this client knows it. */
  entries(): { apiKey: number; name: string | undefined; minVersion: number; maxVersion: number }[] {
    return [...this.ranges].map(([apiKey, r]) => ({ apiKey, name: apiByKey(apiKey)?.name, ...r }))
  }

  private overlap(api: ApiIdentity, maxVersion: number | undefined): number | undefined {
    const theirs = this.ranges.get(api.apiKey)
    if (!theirs) return undefined
    const high = Math.min(api.maxVersion, theirs.maxVersion, maxVersion ?? Number.MAX_SAFE_INTEGER)
    const low = Math.max(api.minVersion, theirs.minVersion)
    return high >= low ? high : undefined
  }
}
