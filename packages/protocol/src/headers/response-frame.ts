import type { ApiDefinition, Input } from '../api-definition.js'
import { ResponseHeaderCodec } from '../generated/headers.js'
import { DecodeError } from '../errors/kafka-error.js'
import { Reader, type UnknownTaggedField } from '../primitives/reader.js'
import { Writer } from '../primitives/writer.js'

/**
 * Encodes a complete response frame: the int32 size, the response header (version chosen by the API
 * for `version`; always 0 for ApiVersions) and the body. A given writer is used as in
 * {@link encodeRequestFrame}.
 *
 * @example
 * ```ts
 * socket.write(encodeResponseFrame(MetadataApi, 12, request.correlationId, { brokers, topics }))
 * ```
 */
export function encodeResponseFrame<Req, Res>(
  api: ApiDefinition<Req, Res>,
  version: number,
  correlationId: number,
  body: Input<Res>,
  w: Writer = new Writer(),
): Buffer {
  const start = w.offset
  try {
    w.reserve(4)
    ResponseHeaderCodec.encode(w, api.responseHeaderVersion(version), { correlationId })
    api.encodeResponse(w, version, body)
  } catch (err) {
    w.offset = start
    throw err
  }
  w.patchInt32(start, w.offset - start - 4)
  return w.buf.subarray(start, w.offset)
}

/**
 * The correlation id of a response frame (given without its size prefix), which a client reads first to
 * find the request, and so the API and version, the response answers.
 */
export function responseCorrelationId(frame: Buffer): number {
  if (frame.length < 4) throw new DecodeError(`A response frame of ${frame.length} bytes is too short for a correlation id`)
  return frame.readInt32BE(0)
}

export interface ResponseFrame<Res> {
  correlationId: number
  /** Tagged fields of a flexible response header, if any. */
  headerTaggedFields?: UnknownTaggedField[]
  body: Res
}

/**
 * Decodes a response frame, given without its int32 size prefix, as the response of `api` at `version`
 * (the version of the request it answers).
 *
 * @example
 * ```ts
 * const pending = inFlight.get(responseCorrelationId(frame))
 * const { body } = decodeResponseFrame(MetadataApi, pending.version, frame)
 * ```
 */
export function decodeResponseFrame<Req, Res>(api: ApiDefinition<Req, Res>, version: number, frame: Buffer): ResponseFrame<Res> {
  const r = new Reader(frame)
  const header = ResponseHeaderCodec.decode(r, api.responseHeaderVersion(version))
  const body = api.decodeResponse(r, version)
  const result: ResponseFrame<Res> = { correlationId: header.correlationId, body }
  if (header._unknownTaggedFields) result.headerTaggedFields = header._unknownTaggedFields
  return result
}
