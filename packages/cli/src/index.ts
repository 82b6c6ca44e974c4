/** The `tributary` command line: `main` runs it, `createProgram` builds it for embedding or tests. */
export { main } from './main.js'
export { createProgram, VERSION } from './program.js'
export { processContext, type CliContext, type SignalSource } from './context.js'
export { createLogger, toEventLogger, LOG_LEVELS, type LogLevel, type LogDestination, type EventLogger } from './logger.js'
