import { CommanderError } from 'commander'
import { processContext, type CliContext } from './context.js'
import { createProgram } from './program.js'

/**
 * Runs the CLI with Node-style arguments (`process.argv`: the node binary and script first) and
 * returns the exit code: 0 on success, commander's code for usage errors (with the message
 * already printed), 1 for any other failure (printed as `tributary: <message>`).
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv)
 * ```
 */
export async function main(argv: readonly string[] = process.argv, context: CliContext = processContext()): Promise<number> {
  try {
    await createProgram(context).parseAsync([...argv])
    return 0
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode
    context.stderr.write(`tributary: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}
