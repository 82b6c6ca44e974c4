// @tributary/consumer: a Kafka consumer with group membership, rebalancing, assignors, pipelined fetching,
// commits, seek/pause/resume and read_committed.

export { Consumer, type ConsumerGroupMetadata } from './consumer.js'
export type { ConsumerCloseOptions } from './close.js'
export { consumerOptionsSchema, parseConsumerOptions, type ConsumerOptions, type ResolvedConsumerOptions, type Deserializer } from './options.js'
export type { ConsumerRecord, TopicPartition, TopicPartitionOffset, CommittedOffset, PartitionLag, TimestampType } from './record.js'
export type { RunOptions, EachMessagePayload, EachBatchPayload } from './runner.js'
export { RecordIterator } from './iterator.js'
export type { RebalanceListener } from './group/rebalance-listener.js'
export { RecordError } from './errors.js'

export type { Assignor, AssignorMember, AssignmentContext, MemberAssignment, SubscriptionContext, RebalanceProtocol } from './assignors/assignor.js'
export { rangeAssignor } from './assignors/range.js'
export { roundRobinAssignor } from './assignors/roundrobin.js'
export { stickyAssignor } from './assignors/sticky.js'
export { cooperativeStickyAssignor } from './assignors/cooperative-sticky.js'
export { BUILTIN_ASSIGNORS, type BuiltinAssignorName } from './assignors/builtin.js'
export {
  CONSUMER_PROTOCOL_VERSION,
  encodeSubscription,
  decodeSubscription,
  encodeAssignment,
  decodeAssignment,
  type Subscription,
  type Assignment,
} from './group/protocol.js'
