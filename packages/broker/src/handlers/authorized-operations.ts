/**
 * Authorized-operation bit fields (Metadata, DescribeCluster): bit n is set when the
 * caller may perform ACL operation n. With no ACLs, every operation a resource type has is allowed.
 */

/** ACL operation codes, as Kafka numbers them. */
const Operation = {
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const

const bits = (...ops: number[]) => ops.reduce((mask, op) => mask | (1 << op), 0)

/** The value for "not requested", as the protocol defines it. */
export const OPERATIONS_NOT_REQUESTED = -2147483648

/** Every operation on a topic. */
export const ALL_TOPIC_OPERATIONS = bits(Operation.READ, Operation.WRITE, Operation.CREATE, Operation.DELETE, Operation.ALTER, Operation.DESCRIBE, Operation.DESCRIBE_CONFIGS, Operation.ALTER_CONFIGS)

/** Every operation on the cluster. */
export const ALL_CLUSTER_OPERATIONS = bits(
  Operation.CREATE,
  Operation.ALTER,
  Operation.DESCRIBE,
  Operation.CLUSTER_ACTION,
  Operation.DESCRIBE_CONFIGS,
  Operation.ALTER_CONFIGS,
  Operation.IDEMPOTENT_WRITE,
  Operation.CREATE_TOKENS,
  Operation.DESCRIBE_TOKENS,
)

