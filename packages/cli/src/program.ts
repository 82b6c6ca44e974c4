import { Command } from 'commander'
import { aclsCommand } from './commands/acls.js'
import { brokerCommand } from './commands/broker.js'
import { consumeCommand } from './commands/consume.js'
import { groupsCommand } from './commands/groups.js'
import { produceCommand } from './commands/produce.js'
import { topicsCommand } from './commands/topics.js'
import { usersCommand } from './commands/users.js'
import { processContext, type CliContext } from './context.js'

/** The CLI's version, shown by `tributary --version`. */
export const VERSION = '0.1.0'

/**
 * Builds the `tributary` program: one subcommand per file under `commands/`. Errors are thrown as
 * `CommanderError` instead of exiting, so {@link main} (or a test) decides what happens.
 *
 * @example
 * ```ts
 * await createProgram().parseAsync(['broker', '--port', '0', '--memory'], { from: 'user' })
 * ```
 */
export function createProgram(context: CliContext = processContext()): Command {
  const program = new Command('tributary')
    .description('Tributary: a Kafka-compatible broker and tools that speak the Kafka wire protocol')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => void context.stdout.write(text),
      writeErr: (text) => void context.stderr.write(text),
    })
    .exitOverride()
  program.addCommand(brokerCommand(context))
  program.addCommand(topicsCommand(context))
  program.addCommand(produceCommand(context))
  program.addCommand(consumeCommand(context))
  program.addCommand(groupsCommand(context))
  program.addCommand(usersCommand(context))
  program.addCommand(aclsCommand(context))
  // Subcommands (and theirs, such as `users add`) write through the program's output and throw
  // instead of exiting, as it does.
  inheritSettings(program)
  return program
}

function inheritSettings(parent: Command): void {
  for (const command of parent.commands) {
    command.copyInheritedSettings(parent)
    inheritSettings(command)
  }
}
