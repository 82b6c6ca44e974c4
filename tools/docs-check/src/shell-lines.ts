// Reads a ```sh block as the docs test sees it: command lines (continuations joined, trailing
// comments removed), each with the output lines shown under it, split into simple commands and
// classified as run (really executed) or checked (their scripts, workspaces and files must exist).

export interface ShellLine {
  /** 1-based line of the page where the command starts. */
  line: number
  /** The command: `\` continuations joined, a trailing `# comment` removed. */
  text: string
  /** Comment lines right under the command (no blank line between): the output it shows, `# ` removed. */
  expected: string[]
}

/** The command lines of a block whose first line is line `firstLine` of its page. */
export function shellLines(code: string, firstLine = 1): ShellLine[] {
  const out: ShellLine[] = []
  const lines = code.split('\n')
  let last: ShellLine | undefined
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i]!.trim()
    if (trimmed === '') {
      last = undefined
      continue
    }
    if (trimmed.startsWith('#')) {
      last?.expected.push(trimmed.replace(/^#\s?/, ''))
      continue
    }
    const start = i
    let text = lines[i]!
    while (/(^|[^\\])\\$/.test(stripComment(text).trimEnd()) && i + 1 < lines.length) {
      text = `${stripComment(text).trimEnd().slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`
    }
    last = { line: firstLine + 1 + start, text: stripComment(text).trim(), expected: [] }
    out.push(last)
  }
  return out
}

/** The line without a trailing comment: a `#` that starts a word, outside quotes. */
export function stripComment(line: string): string {
  let quote: string | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote) {
      if (c === '\\' && quote === '"') i++
      else if (c === quote) quote = undefined
    } else if (c === '\\') i++
    else if (c === "'" || c === '"') quote = c
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i).trimEnd()
  }
  return line
}

export type Token = { word: string } | { op: string }

const OPERATORS = ['&&', '||', '>>', '2>&1', ';', '|', '>', '<', '&']

/** Words (quotes removed, `$VARIABLES` left as they are) and operators of a command line. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let word: string | undefined
  const end = () => {
    if (word !== undefined) tokens.push({ word })
    word = undefined
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (/\s/.test(c)) {
      end()
      continue
    }
    const op = word === undefined || c !== '2' ? OPERATORS.find((o) => text.startsWith(o, i)) : undefined
    if (op && (op !== '2>&1' || word === undefined)) {
      end()
      tokens.push({ op })
      i += op.length - 1
      continue
    }
    word ??= ''
    if (c === "'") {
      const close = text.indexOf("'", i + 1)
      word += text.slice(i + 1, close < 0 ? undefined : close)
      i = close < 0 ? text.length : close
    } else if (c === '"') {
      let j = i + 1
      for (; j < text.length && text[j] !== '"'; j++) word += text[j] === '\\' && /["\\$`]/.test(text[j + 1] ?? '') ? text[++j] : text[j]
      i = j
    } else if (c === '\\') word += text[++i] ?? ''
    else word += c
  }
  end()
  return tokens
}

export interface SimpleCommand {
  /** `NAME=value` words before the command. */
  assignments: { name: string; value: string }[]
  /** The command and its arguments (redirection targets left out). */
  words: string[]
  /** Targets of `>`, `>>` and `<`. */
  redirects: string[]
}

/** The simple commands of a line: its pipelines and lists split at `|`, `&&`, `||`, `;` and `&`. */
export function simpleCommands(text: string): SimpleCommand[] {
  const out: SimpleCommand[] = []
  let current: SimpleCommand = { assignments: [], words: [], redirects: [] }
  let redirect = false
  const flush = () => {
    if (current.words.length > 0 || current.assignments.length > 0) out.push(current)
    current = { assignments: [], words: [], redirects: [] }
  }
  for (const token of tokenize(text)) {
    if ('op' in token) {
      if (['>', '>>', '<'].includes(token.op)) redirect = true
      else if (token.op !== '2>&1') flush()
      continue
    }
    if (redirect) {
      current.redirects.push(token.word)
      redirect = false
    } else if (current.words.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(token.word)) {
      const eq = token.word.indexOf('=')
      current.assignments.push({ name: token.word.slice(0, eq), value: token.word.slice(eq + 1) })
    } else current.words.push(token.word)
  }
  flush()
  return out
}

export type CommandKind =
  /** Really run. */
  | 'tributary'
  | 'assignment'
  | 'shell'
  /** Checked. */
  | 'npm-install'
  | 'npm-script'
  | 'npx-vitest'
  | 'npx-tsc'
  | 'node'
  | 'cd'

export const CHECKED_KINDS: readonly CommandKind[] = ['npm-install', 'npm-script', 'npx-vitest', 'npx-tsc', 'node', 'cd']

/** What the docs test does with a simple command. */
export function commandKind(command: SimpleCommand): CommandKind {
  const [first, second] = command.words
  if (first === undefined || first === 'export') return 'assignment'
  if (first === 'tributary' || (first === 'npx' && second === 'tributary')) return 'tributary'
  if (first === 'npm' && ['install', 'i', 'add'].includes(second ?? '')) return 'npm-install'
  if (first === 'npm' && ['run', 'run-script', 'test', 't', 'start'].includes(second ?? '')) return 'npm-script'
  if (first === 'npx' && second === 'vitest') return 'npx-vitest'
  if (first === 'npx' && second === 'tsc') return 'npx-tsc'
  if (first === 'node') return 'node'
  if (first === 'cd') return 'cd'
  return 'shell'
}

/** Whether a line is run or checked; a line mixing both is an error (split it). */
export function lineKind(text: string): 'run' | 'check' {
  const kinds = simpleCommands(text).map(commandKind)
  const checked = kinds.filter((k) => CHECKED_KINDS.includes(k))
  if (checked.length > 0 && checked.length < kinds.length) throw new Error(`\`${text}\` mixes commands the test runs with commands it only checks (${kinds.join(', ')}): split it`)
  return checked.length > 0 ? 'check' : 'run'
}

/** Whether every command of the line only sets variables (`NAME=value`, `export NAME=value`). */
export function isAssignmentLine(text: string): boolean {
  const commands = simpleCommands(text)
  return commands.length > 0 && commands.every((c) => commandKind(c) === 'assignment')
}

/** The `tributary` subcommand of a simple command (`broker`, `topics`, ...), if it runs tributary. */
export function tributarySubcommand(command: SimpleCommand): string | undefined {
  if (commandKind(command) !== 'tributary') return undefined
  return command.words[command.words[0] === 'npx' ? 2 : 1]
}

/** Whether the line starts a broker (`tributary broker ...`, `npx tributary broker ...`). */
export function isBrokerLine(text: string): boolean {
  return simpleCommands(text).some((c) => tributarySubcommand(c) === 'broker')
}

/** Whether the line talks to a running broker: a tributary command other than `broker` (help aside), or kcat. */
export function needsBroker(text: string): boolean {
  return simpleCommands(text).some((c) => {
    const sub = tributarySubcommand(c)
    if (sub !== undefined) return sub !== 'broker' && !c.words.some((w) => w === '--help' || w === '-h')
    return c.words[0] === 'kcat'
  })
}
