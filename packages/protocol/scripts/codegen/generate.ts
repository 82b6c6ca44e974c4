import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadDefinitions, parseErrorTable, type RawMessage } from './definitions.ts'
import { emitErrors } from './emit-errors.ts'
import { apiFileName, emitApiIndex, emitApiModule, emitDataModule, kebabCase, reexportModule } from './emit-module.ts'
import { emitSchema } from './emit-schema.ts'
import { buildMessage, type MessageModel } from './model.ts'

/** Where outputs go, relative to the protocol package root. */
export const GENERATED_DIR = 'src/generated'

/** The embedded structures (type "data") the package generates, besides the APIs and headers. */
export const DATA_STRUCTS = ['ConsumerProtocolSubscription', 'ConsumerProtocolAssignment']

/**
 * Reads the definitions in `protocolDir` (`messages/*.json` and `errors.tsv`) and returns every generated
 * file, keyed by its path relative to the protocol package. Pure apart from reading its inputs.
 */
export function generate(protocolDir: string): Map<string, string> {
  const raw = loadDefinitions(join(protocolDir, 'messages'))
  const errors = parseErrorTable(readFileSync(join(protocolDir, 'errors.tsv'), 'utf8'))
  const find = (name: string, type: RawMessage['type']): RawMessage => {
    const m = raw.get(name)
    if (!m || m.type !== type) throw new Error(`Missing ${type} definition ${name}`)
    return m
  }

  const out = new Map<string, string>()
  const schemaMessages: MessageModel[] = []
  const requests: MessageModel[] = []
  const served = [...raw.values()].filter((m) => m.type === 'request' && m.listeners?.includes('broker'))
  served.sort((a, b) => a.apiKey! - b.apiKey!)
  for (const rawRequest of served) {
    const rawResponse = [...raw.values()].find((m) => m.type === 'response' && m.apiKey === rawRequest.apiKey)
    if (!rawResponse) throw new Error(`${rawRequest.name} has no response definition`)
    if (rawRequest.validVersions !== rawResponse.validVersions) {
      throw new Error(`${rawRequest.name} and ${rawResponse.name} disagree on validVersions`)
    }
    const request = buildMessage(rawRequest)
    const response = buildMessage(rawResponse)
    requests.push(request)
    schemaMessages.push(request, response)
    out.set(`${GENERATED_DIR}/apis/${apiFileName(request)}`, emitApiModule(request, response))
  }
  out.set(`${GENERATED_DIR}/apis/index.ts`, emitApiIndex(requests))

  const headers = [buildMessage(find('RequestHeader', 'header')), buildMessage(find('ResponseHeader', 'header'))]
  schemaMessages.push(...headers)
  out.set(`${GENERATED_DIR}/headers.ts`, emitDataModule(headers, '../'))

  const structFiles: string[] = []
  for (const name of DATA_STRUCTS) {
    const model = buildMessage(find(name, 'data'))
    schemaMessages.push(model)
    const file = `${kebabCase(name)}.ts`
    structFiles.push(`./${file.replace(/\.ts$/, '.js')}`)
    out.set(`${GENERATED_DIR}/structs/${file}`, emitDataModule([model], '../../'))
  }
  out.set(`${GENERATED_DIR}/structs/index.ts`, reexportModule(structFiles))
  out.set(`${GENERATED_DIR}/errors.ts`, emitErrors(errors))
  out.set(`${GENERATED_DIR}/schema.ts`, emitSchema(schemaMessages))
  out.set(`${GENERATED_DIR}/index.ts`, reexportModule(['./apis/index.js', './structs/index.js', './headers.js', './errors.js']))
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
