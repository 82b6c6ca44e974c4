import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compareOutputs, writeOutputs } from './files.ts'
import { GENERATED_DIR, generate } from './generate.ts'

/**
 * Generates the protocol codecs from the Kafka message definitions.
 *
 *   npm run codegen -w @tributary/protocol          write src/generated/ (and delete stale files)
 *   npm run codegen:check -w @tributary/protocol    exit 1 if src/generated/ is out of date
 *
 * The definitions are read from ../shared/kafka-protocol next to the repository, or from the folder
 * named by TRIBUTARY_KAFKA_PROTOCOL_DIR.
 */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export function protocolDir(): string {
  return process.env.TRIBUTARY_KAFKA_PROTOCOL_DIR ?? resolve(PACKAGE_ROOT, '../../../shared/kafka-protocol')
}

function main(args: string[]): number {
  const check = args.includes('--check')
  const dir = protocolDir()
  if (!existsSync(dir)) {
    console.error(`Kafka protocol definitions not found at ${dir}; set TRIBUTARY_KAFKA_PROTOCOL_DIR to their folder.`)
    return 2
  }
  const outputs = generate(dir)
  if (check) {
    const { changed, stale } = compareOutputs(PACKAGE_ROOT, GENERATED_DIR, outputs)
    if (changed.length === 0 && stale.length === 0) {
      console.log(`codegen: ${outputs.size} generated files are up to date.`)
      return 0
    }
    for (const path of changed) console.error(`out of date: ${path}`)
    for (const path of stale) console.error(`stale (no longer generated): ${path}`)
    console.error('Run `npm run codegen -w @tributary/protocol` and commit the result.')
    return 1
  }
  const { changed, stale } = writeOutputs(PACKAGE_ROOT, GENERATED_DIR, outputs)
  console.log(`codegen: ${outputs.size} files, ${changed.length} written, ${stale.length} stale removed.`)
  return 0
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2))
}
