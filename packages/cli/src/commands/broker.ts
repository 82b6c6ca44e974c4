import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { CLEAN_SHUTDOWN_FILE, startBroker, type Broker, type BrokerOptions } from '@tributary/broker'
import { Command, Option } from 'commander'
import type { CliContext } from '../context.js'
import { LOG_LEVELS, createLogger, toEventLogger, type LogLevel } from '../logger.js'
import { collectKeyValue, parsePort, parsePositiveInteger } from '../options.js'
import { waitForStopSignal } from '../shutdown.js'
import { collect } from './arguments.js'
import { checkPlainUsersFile, scramUsersOf } from './sasl-users.js'

/** The options of `tributary broker`, as commander parses them. */
export interface BrokerCommandOptions {
  port: number
  host?: string
  advertisedHost?: string
  dataDir: string
  memory?: boolean
  partitions: number
  autoCreateTopics: boolean
  config: Record<string, string>
  /** `--add-scram` entries, as given: {@link toBrokerOptions} parses them. */
  addScram?: string[]
  plainUsersFile?: string
  logLevel: LogLevel
}

/**
 * `tributary broker`: runs a broker until SIGINT or SIGTERM, then closes it cleanly (the logs are
 * flushed and the clean-shutdown marker written, so the next start skips recovery) and exits 0.
 *
 * @example
 * ```sh
 * tributary broker --port 9092 --data-dir ./data --config log.retention.ms=3600000
 * tributary broker -c listeners=SASL_PLAINTEXT://127.0.0.1:9092 -c authorizer.enabled=true -c super.users=User:admin \
 *   --add-scram 'SCRAM-SHA-256=[name=admin,password-env=ADMIN_PASSWORD]'
 * ```
 */
export function brokerCommand(context: CliContext): Command {
  return new Command('broker')
    .description('run a Kafka-compatible broker until SIGINT or SIGTERM')
    .addOption(new Option('-p, --port <port>', 'port to listen on; 0 picks a free port').argParser(parsePort).default(9092))
    .option('--host <host>', 'address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 for every interface)')
    .option('--advertised-host <host>', 'host name clients are told to connect to (default: the listening host, localhost for 0.0.0.0)')
    .addOption(new Option('-d, --data-dir <dir>', 'directory holding topics and their logs').default('./data'))
    .addOption(new Option('--memory', 'keep all data in memory; it is lost on exit').conflicts('dataDir'))
    .addOption(new Option('--partitions <count>', 'partitions of topics created automatically').argParser(parsePositiveInteger).default(1))
    .option('--no-auto-create-topics', 'answer UNKNOWN_TOPIC_OR_PARTITION instead of creating topics on first use')
    .addOption(
      new Option('-c, --config <key=value>', 'broker config by its Kafka name, e.g. log.retention.ms=3600000 (repeatable)')
        .argParser(collectKeyValue)
        .default({}, 'none'),
    )
    .option(
      '--add-scram <entry>',
      "SCRAM user created at start-up unless it has a credential, as kafka-storage format --add-scram: 'SCRAM-SHA-256=[name=admin,password=admin-secret]' or password-env=<variable> (repeatable; the user gets both SCRAM mechanisms)",
      collect,
    )
    .option('--plain-users-file <file>', 'JSON file { "<user>": "<password>" } of SASL PLAIN users, read at start-up (PLAIN joins the default mechanisms)')
    .addOption(new Option('--log-level <level>', 'least severe log level shown').choices(LOG_LEVELS).default('info'))
    .action((options: BrokerCommandOptions) => runBroker(options, context))
}

/**
 * Maps the command line to {@link BrokerOptions}; `env` holds the variables `--add-scram`'s
 * `password-env=` names.
 *
 * @throws Error naming a malformed `--add-scram` entry or `--plain-users-file`.
 */
export function toBrokerOptions(options: BrokerCommandOptions, env: NodeJS.ProcessEnv = process.env): BrokerOptions {
  const broker: BrokerOptions = {
    port: options.port,
    autoCreateTopics: options.autoCreateTopics,
    defaultPartitions: options.partitions,
    configs: options.config,
  }
  if (options.memory) broker.storage = 'memory'
  else {
    broker.storage = 'file'
    broker.dataDir = options.dataDir
  }
  if (options.host !== undefined) broker.host = options.host
  if (options.advertisedHost !== undefined) broker.advertisedHost = options.advertisedHost
  if (options.addScram !== undefined || options.plainUsersFile !== undefined) {
    broker.sasl = {}
    if (options.addScram !== undefined) broker.sasl.scramUsers = scramUsersOf(options.addScram, env)
    if (options.plainUsersFile !== undefined) {
      checkPlainUsersFile(options.plainUsersFile)
      broker.sasl.plainUsersFile = options.plainUsersFile
    }
  }
  return broker
}

async function runBroker(options: BrokerCommandOptions, context: CliContext): Promise<void> {
  const log = createLogger(options.logLevel, context.stderr)
  // Listen before starting, so a signal during start-up still closes the broker cleanly.
  const stop = waitForStopSignal(context.signals)
  let broker: Broker
  try {
    broker = await startBroker({ ...toBrokerOptions(options), logger: toEventLogger(log) })
  } catch (err) {
    stop.dispose()
    throw err
  }
  const storage = options.memory ? 'in memory' : `data: ${options.dataDir}`
  context.stdout.write(`Tributary broker listening on ${broker.bootstrapServers} (${storage})\n`)
  const signal = await stop.signal
  log.info(`${signal} received, shutting down`)
  stop.onSecondSignal((again) => {
    log.error(`${again} received again, exiting without a clean shutdown`)
    context.exit(1)
  })
  try {
    await broker.close()
  } finally {
    stop.dispose()
  }
  if (options.memory) {
    log.info('broker stopped; memory storage kept nothing')
    return
  }
  // The broker logs why a log failed to close; without the marker the next start recovers.
  const marker = join(broker.logs.dataDir, CLEAN_SHUTDOWN_FILE)
  if (!existsSync(marker)) throw new Error(`the broker stopped without a clean shutdown (no ${marker}); the next start will recover the logs`)
  log.info(`broker stopped cleanly (${marker} written)`)
}
