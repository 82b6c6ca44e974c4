import {
  AclOperation,
  AclPatternType,
  AclPermissionType,
  AclResourceType,
  CLUSTER_RESOURCE_NAME,
  describeBinding,
  parseOperation,
  parsePatternType,
  parsePermission,
  type AclBinding,
} from '@tributary/broker'
import { CreateAclsApi, DeleteAclsApi, DescribeAclsApi, ErrorCode } from '@tributary/protocol'
import { Command, InvalidArgumentError, Option } from 'commander'
import type { CliContext } from '../context.js'
import { describeErrorCode, withAdminConnection, withConnectionOptions, type AdminConnectionOptions } from './admin-connection.js'

/** What the `acls` subcommands parse from the command line. */
interface AclOptions extends AdminConnectionOptions {
  principal?: string[]
  operation?: number[]
  topic?: string[]
  group?: string[]
  transactionalId?: string[]
  cluster?: boolean
  patternType?: number
  permission?: number
  host?: string
}

function collector<T>(parse: (value: string) => T) {
  return (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)]
}

function parser(what: string, parse: (text: string) => number | undefined, allowed: (code: number) => boolean, names: string) {
  return (value: string): number => {
    const code = parse(value)
    if (code === undefined || !allowed(code)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not ${what}; expected ${names}.`)
    return code
  }
}

const OPERATIONS = 'read, write, create, delete, alter, describe, cluster-action, describe-configs, alter-configs, idempotent-write or all'
const parseOp = parser('an operation', parseOperation, (c) => c >= AclOperation.ALL, OPERATIONS)
const parsePrincipal = (value: string): string => {
  if (!/^User:.+$/.test(value)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a principal; expected User:<name>, or User:* for everyone.`)
  return value
}

/** The options that pick ACLs: principal, resource, operation, pattern and permission. */
function selectors(command: Command, mode: 'add' | 'filter'): Command {
  const patterns = mode === 'add' ? ['literal', 'prefixed'] : ['any', 'literal', 'prefixed', 'match']
  const patternCodes = patterns.map((p) => parsePatternType(p)!)
  return withConnectionOptions(command)
    .addOption(new Option('--principal <User:name>', mode === 'add' ? 'who the ACL is for (repeatable; User:* for everyone)' : 'only ACLs of this principal').argParser(mode === 'add' ? collector(parsePrincipal) : (v: string) => [parsePrincipal(v)]))
    .addOption(new Option('--operation <operation>', `${OPERATIONS}${mode === 'add' ? ' (repeatable)' : ''}`).argParser(mode === 'add' ? collector(parseOp) : (v: string) => [parseOp(v)]))
    .addOption(new Option('--topic <name>', mode === 'add' ? 'a topic (repeatable)' : 'ACLs of this topic').argParser(mode === 'add' ? collector(String) : (v: string) => [v]))
    .addOption(new Option('--group <id>', mode === 'add' ? 'a consumer group (repeatable)' : 'ACLs of this group').argParser(mode === 'add' ? collector(String) : (v: string) => [v]))
    .addOption(new Option('--transactional-id <id>', mode === 'add' ? 'a transactional id (repeatable)' : 'ACLs of this transactional id').argParser(mode === 'add' ? collector(String) : (v: string) => [v]))
    .option('--cluster', 'the cluster resource')
    .addOption(
      new Option('--pattern-type <type>', `how resource names match: ${patterns.join(', ')} (default ${patterns[0]})`).argParser(parser('a pattern type', parsePatternType, (c) => patternCodes.includes(c), patterns.join(', '))),
    )
    .addOption(new Option('--permission <permission>', mode === 'add' ? 'allow (default) or deny' : 'allow or deny (default: both)').argParser(parser('a permission', parsePermission, (c) => c === AclPermissionType.ALLOW || c === AclPermissionType.DENY, 'allow or deny')))
    .option('--host <ip>', mode === 'add' ? 'the client IP address it applies to (default: *, any host)' : 'only ACLs for this host')
}

/** The resources named on the command line, as [type, name] pairs. */
function resources(o: AclOptions): [number, string][] {
  return [
    ...(o.topic ?? []).map((n): [number, string] => [AclResourceType.TOPIC, n]),
    ...(o.group ?? []).map((n): [number, string] => [AclResourceType.GROUP, n]),
    ...(o.transactionalId ?? []).map((n): [number, string] => [AclResourceType.TRANSACTIONAL_ID, n]),
    ...(o.cluster ? [[AclResourceType.CLUSTER, CLUSTER_RESOURCE_NAME] as [number, string]] : []),
  ]
}

/**
 * `tributary acls`: ACLs of a running broker (with its authorizer on), through CreateAcls,
 * DescribeAcls and DeleteAcls.
 *
 * @example
 * ```sh
 * tributary acls add --principal User:alice --operation read --operation describe --topic orders --group billing
 * tributary acls add --principal User:ingest --operation write --topic events. --pattern-type prefixed
 * tributary acls list --topic orders --pattern-type match
 * tributary acls remove --principal User:alice
 * ```
 */
export function aclsCommand(context: CliContext): Command {
  const acls = new Command('acls').description('manage the ACLs of a running broker (its authorizer must be on)')
  acls.addCommand(selectors(new Command('add'), 'add').description('allow (or deny) principals operations on resources').action((o: AclOptions) => addAcls(o, context)))
  acls.addCommand(selectors(new Command('list'), 'filter').description('list ACLs, all or those matching the options').action((o: AclOptions) => listAcls(o, context)))
  acls.addCommand(selectors(new Command('remove'), 'filter').description('remove the ACLs matching the options').action((o: AclOptions) => removeAcls(o, context)))
  return acls
}

async function addAcls(o: AclOptions, context: CliContext): Promise<void> {
  const targets = resources(o)
  if (!o.principal?.length || !o.operation?.length || targets.length === 0) {
    throw new Error('acls add needs --principal, --operation and a resource (--topic, --group, --transactional-id or --cluster).')
  }
  const bindings: AclBinding[] = o.principal.flatMap((principal) =>
    o.operation!.flatMap((operation) =>
      targets.map(([resourceType, resourceName]) => ({
        resourceType,
        resourceName,
        patternType: resourceType === AclResourceType.CLUSTER ? AclPatternType.LITERAL : (o.patternType ?? AclPatternType.LITERAL),
        principal,
        host: o.host ?? '*',
        operation,
        permissionType: o.permission ?? AclPermissionType.ALLOW,
      })),
    ),
  )
  const res = await withAdminConnection(o, (conn) =>
    conn.request(CreateAclsApi, { creations: bindings.map((b) => ({ ...b, resourcePatternType: b.patternType })) }),
  )
  const problems: string[] = []
  res.results.forEach((r, i) => {
    if (r.errorCode === ErrorCode.NONE) context.stdout.write(`added: ${describeBinding(bindings[i]!)}\n`)
    else problems.push(`${describeBinding(bindings[i]!)}: ${describeErrorCode(r.errorCode, r.errorMessage)}`)
  })
  if (problems.length > 0) throw new Error(`some ACLs were not added: ${problems.join('; ')}`)
}

/** The single DescribeAcls / DeleteAcls filter the options describe. */
function filterOf(o: AclOptions) {
  const targets = resources(o)
  if (targets.length > 1) throw new Error('Name at most one resource (--topic, --group, --transactional-id or --cluster).')
  const [target] = targets
  return {
    resourceTypeFilter: target?.[0] ?? AclResourceType.ANY,
    resourceNameFilter: target?.[1] ?? null,
    patternTypeFilter: o.patternType ?? AclPatternType.ANY,
    principalFilter: o.principal?.[0] ?? null,
    hostFilter: o.host ?? null,
    operation: o.operation?.[0] ?? AclOperation.ANY,
    permissionType: o.permission ?? AclPermissionType.ANY,
  }
}

async function listAcls(o: AclOptions, context: CliContext): Promise<void> {
  const res = await withAdminConnection(o, (conn) => conn.request(DescribeAclsApi, filterOf(o)))
  if (res.errorCode !== ErrorCode.NONE) throw new Error(`listing ACLs failed: ${describeErrorCode(res.errorCode, res.errorMessage)}`)
  const lines = res.resources.flatMap((r) => r.acls.map((a) => describeBinding({ resourceType: r.resourceType, resourceName: r.resourceName, patternType: r.patternType, ...a })))
  for (const line of lines) context.stdout.write(`${line}\n`)
  if (lines.length === 0) context.stderr.write('no matching ACLs\n')
}

async function removeAcls(o: AclOptions, context: CliContext): Promise<void> {
  const filter = filterOf(o)
  if (filter.resourceNameFilter === null && filter.principalFilter === null) {
    throw new Error('acls remove needs a principal (--principal) or a resource (--topic, --group, --transactional-id, --cluster), so that it never removes every ACL by accident.')
  }
  const res = await withAdminConnection(o, (conn) => conn.request(DeleteAclsApi, { filters: [filter] }))
  const result = res.filterResults[0]!
  if (result.errorCode !== ErrorCode.NONE) throw new Error(`removing ACLs failed: ${describeErrorCode(result.errorCode, result.errorMessage)}`)
  for (const a of result.matchingAcls) context.stdout.write(`removed: ${describeBinding(a)}\n`)
  if (result.matchingAcls.length === 0) context.stderr.write('no matching ACLs\n')
}
