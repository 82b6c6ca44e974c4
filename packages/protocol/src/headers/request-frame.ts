import type { AnyApiDefinition, ApiDefinition, Input } from '../api-definition.js'
import { apiByKey } from '../generated/apis/index.js'
import { RequestHeaderCodec } from '../generated/headers.js'
import { DecodeError } from '../errors/kafka-error.js'
import { Reader, type UnknownTaggedField } from '../primitives/reader.js'
import { Writer } from '../primitives/writer.js'

/** The request header fields a caller chooses; the API key and version come from the definition. */
export interface RequestHeaderInput {
  correlationId: number
  /** Null (or omitted) sends a null client id. */
  clientId?: string | null
}

/**
 * Encodes a complete request frame: the int32 size, the request header (version chosen by the API for
 * `version`) and the body.
 *
 * With a writer, the frame is appended at its current offset and the result is a view into it, valid
 * until the writer is written to again; if encoding fails the writer is left as it was. Without one, a
 * new buffer is returned.
 *
 * @example
 * ```ts
 * const frame = encodeRequestFrame(MetadataApi, 12, { correlationId: 1, clientId: 'app' }, { topics: null })
 * socket.write(frame)
 * ```
 */
export function encodeRequestFrame<Req, Res>(
  api: ApiDefinition<Req, Res>,
  version: number,
  header: RequestHeaderInput,
  body: Input<Req>,
  w: Writer = new Writer(),
): Buffer {
  const start = w.offset
  try {
    w.reserve(4)
    RequestHeaderCodec.encode(w, api.requestHeaderVersion(version), {
      requestApiKey: api.apiKey,
      requestApiVersion: version,
      correlationId: header.correlationId,
      clientId: header.clientId ?? null,
    })
    api.encodeRequest(w, version, body)
  } catch (err) {
    w.offset = start
    throw err
  }
  w.patchInt32(start, w.offset - start - 4)
  return w.buf.subarray(start, w.offset)
}

/** A request whose header has been read; the body is left for the caller to decode. */
export interface RequestFrame {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
  /** The definition of `apiKey`, or undefined when the key is unknown. */
  api: AnyApiDefinition | undefined
  /** True when the API is known and `apiVersion` lies in its range, so that `body` can be decoded. */
  supported: boolean
  /** The request header version the frame was read with. */
  headerVersion: number
  /** Tagged fields of a flexible header, if any. */
  headerTaggedFields?: UnknownTaggedField[]
  /** A reader positioned at the start of the body. */
  body: Reader
}

/**
 * Reads the header of one request frame, given without its int32 size prefix (as `FrameSplitter`
 * yields frames). The API key, version and correlation id are read first and always returned, even for
 * an unknown API key or an unsupported version, so that a broker can still answer with an error (for
 * ApiVersions, UNSUPPORTED_VERSION with its own version list). In those cases the client id is read on a
 * best-effort basis and `supported` is false.
 *
 * Throws {@link DecodeError} only when the frame is too short to hold the key, version and correlation
 * id, or when the header of a supported request is malformed.
 *
 * @example
 * ```ts
 * const req = decodeRequestFrame(frame)
 * if (!req.supported) return replyUnsupported(req)
 * const body = req.api!.decodeRequest(req.body, req.apiVersion)
 * ```
 */
export function decodeRequestFrame(frame: Buffer, lookup: (apiKey: number) => AnyApiDefinition | undefined = apiByKey): RequestFrame {
  const r = new Reader(frame)
  if (r.remaining < 8) throw new DecodeError(`A request frame of ${frame.length} bytes is too short for a request header (at least 8 bytes)`)
  const apiKey = frame.readInt16BE(0)
  const apiVersion = frame.readInt16BE(2)
  const correlationId = frame.readInt32BE(4)
  const api = lookup(apiKey)
  const supported = api !== undefined && apiVersion >= api.minVersion && apiVersion <= api.maxVersion
  // An unknown API's header is read as version 1: every request since Kafka 0.8 carries a client id.
  const headerVersion = api === undefined ? 1 : api.requestHeaderVersion(apiVersion)
  const result: RequestFrame = { apiKey, apiVersion, correlationId, clientId: null, api, supported, headerVersion, body: r }
  try {
    const header = RequestHeaderCodec.decode(r, headerVersion)
    result.clientId = headerVersion >= 1 ? header.clientId : null
    if (header._unknownTaggedFields) result.headerTaggedFields = header._unknownTaggedFields
  } catch (err) {
    if (supported) throw err
    r.offset = 8
  }
  return result
}
