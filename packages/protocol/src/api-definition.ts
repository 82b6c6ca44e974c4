import { DecodeError, EncodeError } from './errors/kafka-error.js'
import type { Reader, UnknownTaggedField } from './primitives/reader.js'
import type { Writer } from './primitives/writer.js'

/**
 * What a caller may pass to an encoder: every field optional, at any depth. An omitted field is written
 * as its default (as Kafka's own message classes default every field), `null` only where the version
 * allows it. Byte fields accept any `Uint8Array`; arrays may be read-only.
 *
 * @example
 * ```ts
 * const body: Input<MetadataRequest> = { topics: [{ name: 'orders' }] }
 * ```
 */
export type Input<T> = T extends Buffer
  ? Uint8Array
  : T extends UnknownTaggedField
    ? T
    : T extends readonly (infer E)[]
      ? readonly Input<E>[]
      : T extends object
        ? { [K in keyof T]?: Input<T[K]> }
        : T

/**
 * One Kafka API: its key, supported version range, header versions, and the codecs of its request and
 * response for every version. Generated for every API under `src/generated/apis/`.
 *
 * Decoders return complete objects: fields a version does not carry take their defaults. Encoders throw
 * {@link EncodeError} for a version outside `minVersion`..`maxVersion`, for `null` in a field that
 * cannot be null in that version, and for a non-default value in a field the version lacks unless the
 * field is ignorable (then the value is dropped, as Kafka does). Decoders throw {@link DecodeError}.
 *
 * Decoded `Buffer` fields are views into the decoded frame, not copies.
 *
 * @example
 * ```ts
 * const w = new Writer()
 * MetadataApi.encodeRequest(w, 12, { topics: [{ name: 'orders' }] })
 * const request = MetadataApi.decodeRequest(new Reader(w.toBuffer()), 12)
 * ```
 */
export interface ApiDefinition<Req, Res> {
  apiKey: number
  /** The API name without the Request/Response suffix, e.g. `'Metadata'`. */
  name: string
  minVersion: number
  maxVersion: number
  /** The first version using compact encodings and tagged fields, or -1 when none does. */
  firstFlexibleVersion: number
  /** The request header version for a request of this API at `version`: 1 or 2 (0 only for ControlledShutdown v0). */
  requestHeaderVersion(version: number): number
  /** The response header version: 0 or 1 (ApiVersions responses always use 0). */
  responseHeaderVersion(version: number): number
  encodeRequest(w: Writer, version: number, message: Input<Req>): void
  decodeRequest(r: Reader, version: number): Req
  encodeResponse(w: Writer, version: number, message: Input<Res>): void
  decodeResponse(r: Reader, version: number): Res
}

/** Any API definition, for code that handles APIs generically (a broker dispatching on the API key). */
export type AnyApiDefinition = ApiDefinition<unknown, unknown>

/**
 * A versioned structure that is not an API message: the request and response headers, and structures
 * carried inside other messages (consumer-group subscriptions and assignments).
 */
export interface DataDefinition<T> {
  name: string
  minVersion: number
  maxVersion: number
  /** The first flexible version, or -1 when none is. */
  firstFlexibleVersion: number
  encode(w: Writer, version: number, message: Input<T>): void
  decode(r: Reader, version: number): T
}

// Support for the generated codecs. Not part of the package's public exports.

/** The value of an empty bytes field. Zero-length, so sharing one instance is safe. */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0)

/** Stands in for an omitted struct, so that all of its fields are written as defaults. */
export const NO_FIELDS: Readonly<Record<never, never>> = Object.freeze({})

export function unsupportedVersion(what: string, version: number, min: number, max: number, decoding: boolean): Error {
  const message = `${what} version ${version} is not supported: this codec handles versions ${min} to ${max}`
  return decoding ? new DecodeError(message) : new EncodeError(message)
}

export function nullValue(struct: string, field: string, version: number): EncodeError {
  return new EncodeError(`${struct}.${field} is null, but it cannot be null in version ${version}: give it a value or leave it out`)
}

export function notInVersion(struct: string, field: string, version: number): EncodeError {
  return new EncodeError(
    `${struct}.${field} has a non-default value, but version ${version} does not carry this field and dropping it would change the meaning: use a version that has it or leave it out`,
  )
}

export function taggedFieldsNotAllowed(struct: string, version: number): EncodeError {
  return new EncodeError(`${struct} carries unknown tagged fields, but version ${version} has no tagged fields: remove them or use a flexible version`)
}

export function nullDecoded(struct: string, field: string, version: number): DecodeError {
  return new DecodeError(`${struct}.${field} is null on the wire, but it cannot be null in version ${version}`)
}
