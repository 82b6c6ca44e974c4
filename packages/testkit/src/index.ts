/** Test helpers shared by the workspace's packages. Private: never published. */
export { randomTopic } from './topics.js'
export { waitFor, sleep, type WaitForOptions } from './wait-for.js'
export { findKcat, requireKcat, runKcat, KCAT_MISSING, type KcatResult, type RunKcatOptions } from './kcat.js'
export { RawClient, type RawRequestOptions } from './raw-client.js'
export { textBatch, textValues, readRecords, type TextRecord, type ReadRecord } from './records.js'
export { startTestBroker, captureLog, tempDir, type TestBroker, type CapturedLog } from './broker-harness.js'
export { createTopic, produce, fetchPartition, type FetchPartitionOptions } from './raw-requests.js'
export { startBenchBrokerProcess } from './bench-broker.js'
