export {
  RECORD_BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  MAGIC_OFFSET,
  CRC_OFFSET,
  ATTRIBUTES_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PRODUCER_ID_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  BASE_SEQUENCE_OFFSET,
  RECORD_COUNT_OFFSET,
  readRecordBatchHeader,
  type RecordBatchHeader,
} from './header.js'
export {
  ATTRIBUTE_COMPRESSION_MASK,
  ATTRIBUTE_LOG_APPEND_TIME,
  ATTRIBUTE_TRANSACTIONAL,
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_DELETE_HORIZON,
  compressionIdOf,
  timestampTypeOf,
  isTransactionalBatch,
  isControlBatch,
  hasDeleteHorizon,
  parseAttributes,
  makeAttributes,
  type TimestampType,
  type BatchAttributes,
} from './attributes.js'
export { recordBatchCrc, verifyRecordBatch } from './verify.js'
export { CorruptRecordError } from './errors.js'
export { encodeRecordBatch, type EncodeRecordBatchOptions } from './encode.js'
export { decodeRecordBatch, decodeRecordBatches } from './decode.js'
export {
  encodeControlBatch,
  decodeControlRecord,
  CONTROL_TYPE_ABORT,
  CONTROL_TYPE_COMMIT,
  type ControlRecord,
  type EncodeControlBatchOptions,
  type TransactionMarker,
} from './control.js'
export { NO_HEADERS, type RecordHeader, type RecordInput, type DecodedRecord, type DecodedRecordBatch, type DecodeRecordBatchOptions } from './types.js'
