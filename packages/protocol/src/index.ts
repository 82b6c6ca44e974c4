export { KafkaError, DecodeError, EncodeError, isRetriable, type KafkaErrorOptions } from './errors/kafka-error.js'
export { Reader, type UnknownTaggedField } from './primitives/reader.js'
export { Writer } from './primitives/writer.js'
export { ZERO_UUID } from './primitives/uuid.js'
