import { describe, expect, it } from 'vitest'
import { expressionChain, quote, statementChain, versionCondition } from '../../scripts/codegen/code.ts'
import { parseDefinition, parseErrorTable } from '../../scripts/codegen/definitions.ts'
import { apiFileName, kebabCase } from '../../scripts/codegen/emit-module.ts'
import { buildMessage, camelCase, parseIntegerLiteral, structTsName } from '../../scripts/codegen/model.ts'
import { stripComments } from '../../scripts/codegen/strip-comments.ts'
import { formatVersions, intersect, MAX_VERSION, parseVersions } from '../../scripts/codegen/versions.ts'

describe('version ranges', () => {
  it('parse every form the definitions use', () => {
    expect(parseVersions('3+')).toEqual({ lo: 3, hi: MAX_VERSION })
    expect(parseVersions('1-4')).toEqual({ lo: 1, hi: 4 })
    expect(parseVersions('5')).toEqual({ lo: 5, hi: 5 })
    expect(formatVersions(parseVersions('none'))).toBe('none')
    expect(formatVersions(parseVersions(undefined))).toBe('none')
    for (const bad of ['', '3-1', 'x', '1-', '-1']) expect(() => parseVersions(bad), bad).toThrow(/Invalid version range/)
  })

  it('intersect and format', () => {
    expect(intersect(parseVersions('3+'), parseVersions('0-12'))).toEqual({ lo: 3, hi: 12 })
    expect(formatVersions(intersect(parseVersions('0-2'), parseVersions('3+')))).toBe('none')
    expect(['0+', '2-7', '4'].map((s) => formatVersions(parseVersions(s)))).toEqual(['0+', '2-7', '4'])
  })
})

describe('conditions and chains', () => {
  const P = { lo: 0, hi: 12 }
  it('write the shortest test of the version', () => {
    expect(versionCondition({ lo: 0, hi: MAX_VERSION }, P)).toBe(true)
    expect(versionCondition({ lo: 13, hi: 20 }, P)).toBe(false)
    expect(versionCondition({ lo: 4, hi: MAX_VERSION }, P)).toBe('v >= 4')
    expect(versionCondition({ lo: 0, hi: 10 }, P)).toBe('v <= 10')
    expect(versionCondition({ lo: 8, hi: 10 }, P)).toBe('v >= 8 && v <= 10')
    expect(versionCondition({ lo: 9, hi: 9 }, P)).toBe('v === 9')
  })

  it('chain segments from the highest versions down, skipping empty ones', () => {
    const lines = statementChain(P, [
      { range: { lo: 0, hi: 3 }, lines: ['a()'] },
      { range: { lo: 4, hi: 8 }, lines: null },
      { range: { lo: 9, hi: 12 }, lines: ['b()'] },
    ])
    expect(lines).toEqual(['if (v >= 9) {', '  b()', '} else if (v <= 3) {', '  a()', '}'])
    expect(statementChain(P, [{ range: P, lines: ['x()'] }])).toEqual(['x()'])
    expect(expressionChain(P, [{ range: { lo: 0, hi: 8 }, expr: 'a' }, { range: { lo: 9, hi: 12 }, expr: 'b' }])).toBe('v >= 9 ? b : a')
  })

  it('quote strings safely', () => {
    expect(quote("it's \\ new\nline")).toBe("'it\\'s \\\\ new\\nline'")
  })
})

describe('definitions', () => {
  it('strip // and block comments but not inside strings', () => {
    const text = '{ // note\n "a": "http://x", /* b */ "c": 1 }'
    expect(JSON.parse(stripComments(text))).toEqual({ a: 'http://x', c: 1 })
  })

  it('read integer defaults as Java does: hex, octal, signs', () => {
    expect(parseIntegerLiteral('0x7fffffff')).toBe(2147483647n)
    expect(parseIntegerLiteral('-1')).toBe(-1n)
    expect(parseIntegerLiteral('010')).toBe(8n)
    expect(parseIntegerLiteral('0')).toBe(0n)
    expect(() => parseIntegerLiteral('1.5')).toThrow()
  })

  it('name things as the package exports them', () => {
    expect(camelCase('ThrottleTimeMs')).toBe('throttleTimeMs')
    expect(structTsName('FetchResponse', 'PartitionData')).toBe('FetchResponsePartitionData')
    expect(structTsName('MetadataResponse', 'MetadataResponseTopic')).toBe('MetadataResponseTopic')
    expect(kebabCase('DescribeTopicPartitions')).toBe('describe-topic-partitions')
    expect(kebabCase('ApiVersions')).toBe('api-versions')
  })

  it('build a model with version-limited fields, nullability, tags and defaults', () => {
    const raw = parseDefinition(
      `{ "apiKey": 3, "type": "request", "name": "ExampleRequest", "validVersions": "0-4", "flexibleVersions": "2+",
         "fields": [
           { "name": "Limit", "type": "int32", "versions": "1+", "default": "0x10" },
           { "name": "Items", "type": "[]Item", "versions": "0+", "nullableVersions": "3+", "fields": [
             { "name": "Label", "type": "string", "versions": "0+", "default": "null", "nullableVersions": "0+" } ] },
           { "name": "Extra", "type": "int64", "versions": "2+", "taggedVersions": "2+", "tag": 0, "default": "-1" }
         ] }`,
      'Example.json',
    )
    const m = buildMessage(raw)
    expect(apiFileName(m)).toBe('03-example.ts')
    expect(m.structs.map((s) => s.tsName)).toEqual(['ExampleRequest', 'ExampleRequestItem'])
    const [limit, items, extra] = m.root.fields
    expect(limit!.defaultValue).toEqual({ kind: 'number', value: 16 })
    expect(items!.nullable).toEqual({ lo: 3, hi: 4 })
    expect(m.structs[1]!.versions).toEqual({ lo: 0, hi: 4 })
    expect([extra!.tag, extra!.tagged, extra!.defaultValue]).toEqual([0, { lo: 2, hi: 4 }, { kind: 'bigint', value: -1n }])
  })

  it('reject definitions the generator cannot honour', () => {
    const make = (field: string) =>
      parseDefinition(`{ "type": "data", "name": "X", "validVersions": "0-2", "flexibleVersions": "1+", "fields": [ ${field} ] }`, 'X.json')
    expect(() => buildMessage(make('{ "name": "A", "type": "int32", "versions": "0+", "nullableVersions": "0+" }'))).toThrow(/cannot be nullable/)
    expect(() => buildMessage(make('{ "name": "A", "type": "int8", "versions": "0+", "default": "300" }'))).toThrow(/out of range/)
    expect(() => buildMessage(make('{ "name": "A", "type": "int32", "versions": "0+", "taggedVersions": "0+", "tag": 0 }'))).toThrow(/not flexible/)
    expect(() => buildMessage(make('{ "name": "A", "type": "[]Missing", "versions": "0+" }'))).toThrow(/no struct Missing/)
    expect(() => buildMessage(make('{ "name": "A", "type": "string", "versions": "0+", "default": "null" }'))).toThrow(/not nullable/)
  })

  it('read the error table', () => {
    expect(parseErrorTable('code\tname\tretriable\n-1\tUNKNOWN_SERVER_ERROR\tfalse\n6\tNOT_LEADER_OR_FOLLOWER\ttrue\n')).toEqual([
      { code: -1, name: 'UNKNOWN_SERVER_ERROR', retriable: false },
      { code: 6, name: 'NOT_LEADER_OR_FOLLOWER', retriable: true },
    ])
    expect(() => parseErrorTable('code\tname\n')).toThrow(/header/)
  })
})
