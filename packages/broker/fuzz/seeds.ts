import { MESSAGE_SCHEMAS, apiByKey, encodeRequestFrame, type Input } from '@tributary/protocol'
import { buildRequestValue, type Vocabulary } from './values.js'

/** One served API version, as ApiVersions advertises it. */
export interface ServedRange {
  apiKey: number
  minVersion: number
  maxVersion: number
}

/** A valid request frame (size prefix included) to mutate, and what it is. */
export interface Seed {
  apiKey: number
  apiName: string
  version: number
  frame: Buffer
}

/**
 * Builds `perVersion` valid request frames for every version of every served API, from the
 * protocol's message schemas and the vocabulary (see `buildRequestValue`). A value the encoder
 * refuses (rare: a combination the schema allows but the codec checks) is drawn again; after ten
 * refusals the version's seed is the request with every field at its default.
 *
 * @throws Error naming an API the protocol package has no schema or codec for.
 */
export function buildSeeds(ranges: readonly ServedRange[], perVersion: number, rnd: () => number, words: Vocabulary): Seed[] {
  const seeds: Seed[] = []
  for (const range of ranges) {
    const api = apiByKey(range.apiKey)
    const schema = api && MESSAGE_SCHEMAS[`${api.name}Request`]
    if (!api || !schema) throw new Error(`API key ${range.apiKey} is served but the protocol package has no codec or schema for it`)
    for (let version = range.minVersion; version <= range.maxVersion; version++) {
      for (let i = 0; i < perVersion; i++) {
        let frame: Buffer | undefined
        for (let attempt = 0; attempt < 10 && !frame; attempt++) {
          try {
            const body = buildRequestValue(schema.fields, version, rnd, words) as Input<unknown>
            frame = encodeRequestFrame(api, version, { correlationId: 0, clientId: 'fuzz' }, body)
          } catch {
            // Drawn again.
          }
        }
        frame ??= encodeRequestFrame(api, version, { correlationId: 0, clientId: 'fuzz' }, {})
        seeds.push({ apiKey: api.apiKey, apiName: api.name, version, frame })
      }
    }
  }
  return seeds
}
