/**
 * Authorized-operation bit fields (Metadata, DescribeGroups, DescribeCluster): bit n is set when the
 * caller may perform ACL operation n. They are computed from the ACLs by
 * `authorizedOperations` in `security/access.ts`; this is the value for fields nobody asked for.
 */

/** The value for "not requested", as the protocol defines it. */
export const OPERATIONS_NOT_REQUESTED = -2147483648
