// Turns a ```ts block into the program the docs test runs: as it is when it is a complete program,
// or inside its context's prelude and epilogue when it is an excerpt.
import { mapPorts, type PortMap } from './ports.ts'
import { BLOCK_CLOSES, PRELUDE_IMPORTS, type ContextEntry, type TsContext } from './sample-contexts.ts'

/**
 * The names a block declares at top level (statements starting in the first column): imported
 * names, and `const`/`let`/`var` (destructuring included), `function` and `class` names.
 */
export function topLevelDeclarations(code: string): Set<string> {
  const names = new Set<string>()
  const add = (list: string) => {
    for (const part of list.split(',')) {
      const name = /(?:[\w$]+\s+as\s+)?(?:\.\.\.)?([A-Za-z_$][\w$]*)\s*(?:[:=].*)?$/.exec(part.trim().replace(/^type\s+/, ''))
      if (name) names.add(name[1]!)
    }
  }
  const source = stripComments(code)
  for (const m of source.matchAll(/^import\s+(?:type\s+)?([\s\S]*?)\s+from\s+['"][^'"]+['"]/gm)) {
    const clause = m[1]!
    const braces = /\{([\s\S]*)\}/.exec(clause)
    if (braces) add(braces[1]!)
    const outside = clause.replace(/\{[\s\S]*\}/, '').replace(/\*\s+as\s+/, '')
    add(outside)
  }
  for (const m of source.matchAll(/^(?:export\s+)?(?:const|let|var)\s+([\s\S]*?)\s*=(?!=)/gm)) {
    const target = m[1]!
    const pattern = /^[{[]([\s\S]*)[}\]]/.exec(target)
    if (pattern) add(pattern[1]!.replace(/[{}[\]]/g, ','))
    else for (const decl of target.split(/,\s*(?=[A-Za-z_$])/)) add(decl)
  }
  for (const m of source.matchAll(/^(?:export\s+)?(?:async\s+)?(?:function\*?|class)\s+([A-Za-z_$][\w$]*)/gm)) names.add(m[1]!)
  // `const a = 1, b = 2` on one line: the names after a comma at nesting level 0 are rare enough to take literally.
  for (const m of source.matchAll(/^(?:const|let|var)\s.*?,\s*([A-Za-z_$][\w$]*)\s*=(?!=)/gm)) names.add(m[1]!)
  return names
}

/** Identifiers the code uses, outside comments and string literals, that are not property names. */
export function usedIdentifiers(code: string): Set<string> {
  const source = stripStrings(stripComments(code))
  const names = new Set<string>()
  for (const m of source.matchAll(/(?<![\w$.])([A-Za-z_$][\w$]*)(?!\s*:(?!:))/g)) names.add(m[1]!)
  // An object literal's key (`{ close: ... }`) is not a use; `a ? b : c` is one of `b`.
  for (const m of source.matchAll(/(?<![{,]\s*)(?<![\w$.])([A-Za-z_$][\w$]*)(?=\s*:(?!:))/g)) names.add(m[1]!)
  // A spread (`...orders`) is a use; `a.b` is not a use of `b`.
  for (const m of source.matchAll(/\.\.\.([A-Za-z_$][\w$]*)/g)) names.add(m[1]!)
  return names
}

function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
}

function stripStrings(code: string): string {
  return code.replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''")
}

export interface ProgramInput {
  code: string
  context?: TsContext
  ports: PortMap
  /** For excerpts: where each name a block may use without importing it comes from. */
  autoImports?: ReadonlyMap<string, string>
}

/** What an excerpt's program prints (to stderr) once the block has run, before the epilogue: a failure's output tells whether the block or the closing of its context failed. */
export const BLOCK_DONE = '[docs-check] the block ran; closing its context'

/** What the sample process runs. */
export function tsProgram(input: ProgramInput): string {
  const code = mapPorts(input.code, input.ports)
  const signal = /\bSIGTERM\b/.test(code) ? [SIGTERM_WHEN_LISTENED] : []
  if (!input.context || input.context.testFile) return [...signal, code].join('\n')

  const declared = topLevelDeclarations(code)
  const used = usedIdentifiers(code)
  const { setup, teardown } = contextCode(input.context.entries(input.ports), declared)
  for (const [name, close] of Object.entries(BLOCK_CLOSES)) if (declared.has(name) && !teardown.includes(close)) teardown.unshift(close)
  const provided = new Set(input.context.entries(input.ports).flatMap((e) => (e.declares ? [e.declares] : [])))
  const imports = [...used]
    .filter((name) => !declared.has(name) && !provided.has(name) && input.autoImports?.has(name))
    .sort()
    .map((name) => `import { ${name} } from '${input.autoImports!.get(name)}'`)
  return [
    ...PRELUDE_IMPORTS,
    ...imports,
    ...signal,
    `// --- context "${input.context.name}" ---`,
    ...setup,
    '// --- the block ---',
    code,
    '// --- epilogue ---',
    `console.error(${JSON.stringify(BLOCK_DONE)})`,
    ...teardown,
  ].join('\n')
}

/** The context's setup and teardown for a block that declares `declared` itself. */
export function contextCode(entries: readonly ContextEntry[], declared: ReadonlySet<string>): { setup: string[]; teardown: string[] } {
  const left = new Set<string>()
  const setup: string[] = []
  const teardown: string[] = []
  for (const entry of entries) {
    const byBlock = entry.declares !== undefined && declared.has(entry.declares)
    const missing = (entry.needs ?? []).some((n) => left.has(n))
    if (byBlock || missing) {
      if (entry.declares) left.add(entry.declares)
      if (byBlock && entry.teardown) teardown.unshift(entry.teardown)
      continue
    }
    setup.push(entry.setup)
    if (entry.teardown) teardown.unshift(entry.teardown)
  }
  return { setup, teardown }
}

/**
 * A sample that waits for SIGTERM (as a service does) gets one as soon as it listens for it, as if
 * it were being stopped; a sample that never listens is left alone.
 */
const SIGTERM_WHEN_LISTENED = [
  "{ const listening = process.listenerCount('SIGTERM')",
  "  const timer = setInterval(() => { if (process.listenerCount('SIGTERM') > listening) { clearInterval(timer); process.kill(process.pid, 'SIGTERM') } }, 50)",
  '  timer.unref() }',
].join('\n')
