// The checks for shell commands the docs test does not run (npm, npx vitest/tsc, node, cd): what
// they name (packages, workspaces, scripts, files, flags, environment variables) must exist.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { REPO_ROOT } from './paths.ts'
import { commandKind, type SimpleCommand } from './shell-lines.ts'

interface Manifest {
  name: string
  private?: boolean
  scripts?: Record<string, string>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}

export interface Workspace {
  dir: string
  manifest: Manifest
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest
}

/** The repository's workspace packages (packages/*, apps/*, tools/*). */
export function workspaces(root = REPO_ROOT): Workspace[] {
  const patterns = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces
  return patterns.flatMap((pattern) => {
    const base = join(root, pattern.replace(/\/\*$/, ''))
    return readdirSync(base)
      .map((entry) => join(base, entry))
      .filter((dir) => existsSync(join(dir, 'package.json')))
      .map((dir) => ({ dir, manifest: readManifest(dir) }))
  })
}

/** The state the checks carry from line to line of a page: the directory commands run in. */
export interface CheckState {
  cwd: string
}

export interface CheckContext {
  workspaces: readonly Workspace[]
  /** The TypeScript sources of the repository, for environment variables (path → text). */
  sources: () => ReadonlyMap<string, string>
}

export function checkContext(root = REPO_ROOT): CheckContext {
  let sources: Map<string, string> | undefined
  return {
    workspaces: workspaces(root),
    sources: () => (sources ??= tsSources(root)),
  }
}

function tsSources(root: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue
      const path = join(dir, entry)
      if (statSync(path).isDirectory()) walk(path)
      else if (/\.(ts|js|mjs)$/.test(entry)) out.set(path, readFileSync(path, 'utf8'))
    }
  }
  for (const group of ['packages', 'apps', 'tools']) walk(join(root, group))
  out.forEach((_, path) => path.includes(join('tools', 'docs-check')) && out.delete(path))
  return out
}

/**
 * Checks a command that is not run and returns what is wrong (nothing when it is fine); `cd`
 * changes `state.cwd` for the lines after it.
 */
export function checkCommand(command: SimpleCommand, state: CheckState, context: CheckContext): string[] {
  switch (commandKind(command)) {
    case 'npm-install':
      return checkNpmInstall(command, context)
    case 'npm-script':
      return [...checkNpmScript(command, state, context), ...checkVariables(command, [...context.sources().values()])]
    case 'npx-vitest':
      return checkVitest(command, state)
    case 'npx-tsc':
      return checkTsc(command, state)
    case 'node':
      return [...checkNode(command, state), ...checkVariables(command, [...context.sources().values()])]
    case 'cd': {
      const target = resolve(state.cwd, command.words[1] ?? '')
      if (!existsSync(target) || !statSync(target).isDirectory()) return [`cd: ${relative(REPO_ROOT, target)} is not a directory`]
      state.cwd = target
      return []
    }
    default:
      return [`\`${command.words.join(' ')}\` is run, not checked`]
  }
}

/** `npm install a b`: @tributary packages are publishable workspace packages; others are what they depend on. */
function checkNpmInstall(command: SimpleCommand, context: CheckContext): string[] {
  const names = command.words.slice(2).filter((w) => !w.startsWith('-'))
  const byName = new Map(context.workspaces.map((w) => [w.manifest.name, w.manifest]))
  const ours = names.filter((n) => n.startsWith('@tributary/'))
  const problems: string[] = []
  for (const name of ours) {
    const manifest = byName.get(name)
    if (!manifest) problems.push(`npm install: ${name} is not a package of this repository`)
    else if (manifest.private) problems.push(`npm install: ${name} is private (not published)`)
  }
  for (const name of names.filter((n) => !n.startsWith('@tributary/'))) {
    const usedBy = ours.some((o) => {
      const m = byName.get(o)
      return m && (m.dependencies?.[name] !== undefined || m.peerDependencies?.[name] !== undefined)
    })
    if (!usedBy) problems.push(`npm install: ${name} is neither a dependency nor a peer dependency of ${ours.join(', ') || 'a @tributary package on the line'}`)
  }
  return problems
}

/** `npm run <script> [-w <workspace>]`, `npm test [-w <workspace>]`: the workspace has the script. */
function checkNpmScript(command: SimpleCommand, state: CheckState, context: CheckContext): string[] {
  const words = command.words.slice(1)
  const verb = words[0]!
  const rest = words.slice(1)
  const end = rest.indexOf('--')
  const args = end < 0 ? rest : rest.slice(0, end)
  let workspace: string | undefined
  const positional: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '-w' || a === '--workspace') workspace = args[++i]
    else if (a.startsWith('--workspace=')) workspace = a.slice('--workspace='.length)
    else if (!a.startsWith('-')) positional.push(a)
  }
  const script = verb === 'test' || verb === 't' ? 'test' : verb === 'start' ? 'start' : positional[0]
  if (!script) return [`\`${command.words.join(' ')}\` names no script`]
  let manifest: Manifest | undefined
  let where: string
  if (workspace !== undefined) {
    const found = context.workspaces.find((w) => w.manifest.name === workspace || resolve(state.cwd, workspace) === w.dir)
    if (!found) return [`npm: no workspace ${workspace}`]
    manifest = found.manifest
    where = workspace
  } else {
    let dir = state.cwd
    while (!existsSync(join(dir, 'package.json')) && dir !== dirname(dir)) dir = dirname(dir)
    manifest = readManifest(dir)
    where = relative(REPO_ROOT, join(dir, 'package.json')) || 'package.json'
  }
  return manifest.scripts?.[script] === undefined ? [`npm: ${where} has no script "${script}"`] : []
}

const isGlob = (path: string) => /[*?[]/.test(path)

/** Paths relative to `cwd` matching a simple glob (`*` and `?` in the last segment). */
export function globFiles(cwd: string, pattern: string): string[] {
  const dir = join(cwd, dirname(pattern))
  if (!existsSync(dir)) return []
  const base = pattern.split('/').pop()!
  const regex = new RegExp(`^${base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`)
  return readdirSync(dir)
    .filter((e) => regex.test(e))
    .map((e) => join(dirname(pattern), e))
}

/** `npx vitest run <files>`: each file (or glob) exists; each `NAME=value` before it is read by one of them. */
function checkVitest(command: SimpleCommand, state: CheckState): string[] {
  const files = command.words.slice(2).filter((w) => w !== 'run' && !w.startsWith('-'))
  const problems: string[] = []
  const found: string[] = []
  for (const f of files) {
    const matches = isGlob(f) ? globFiles(state.cwd, f) : existsSync(join(state.cwd, f)) ? [f] : []
    if (matches.length === 0) problems.push(`vitest: no test file ${relative(REPO_ROOT, join(state.cwd, f))}`)
    found.push(...matches)
  }
  if (files.length === 0) problems.push('vitest: the line names no test file')
  const texts = found.map((f) => readFileSync(join(state.cwd, f), 'utf8'))
  return [...problems, ...checkVariables(command, texts, 'the test files it runs')]
}

/** `npx tsc -p <tsconfig>`: the project file exists. */
function checkTsc(command: SimpleCommand, state: CheckState): string[] {
  const i = command.words.findIndex((w) => w === '-p' || w === '--project')
  const project = i >= 0 ? command.words[i + 1] : 'tsconfig.json'
  return project && existsSync(join(state.cwd, project)) ? [] : [`tsc: no ${relative(REPO_ROOT, join(state.cwd, project ?? ''))}`]
}

/**
 * `node [flags] <script> [options]`: `--import` modules resolve from the working directory, the script
 * exists, and each `--option` after it is one the script reads (named in its source).
 */
function checkNode(command: SimpleCommand, state: CheckState): string[] {
  const words = command.words.slice(1)
  const problems: string[] = []
  let i = 0
  for (; i < words.length && words[i]!.startsWith('-'); i++) {
    const w = words[i]!
    if (w === '--import' || w === '--require' || w === '-r') {
      const module = words[++i]!
      const require = createRequire(join(state.cwd, 'noop.js'))
      const resolves = (specifier: string) => {
        try {
          return Boolean(require.resolve(specifier))
        } catch {
          return false
        }
      }
      if (!resolves(`${module}/package.json`) && !resolves(module)) {
        problems.push(`node: ${w} ${module} does not resolve from ${relative(REPO_ROOT, state.cwd) || 'the repository root'}`)
      }
    }
  }
  const script = words[i]
  if (!script) return [...problems, 'node: the line names no script']
  const path = join(state.cwd, script)
  if (!existsSync(path)) return [...problems, `node: no script ${relative(REPO_ROOT, path)}`]
  const source = readFileSync(path, 'utf8')
  for (const option of words.slice(i + 1).filter((w) => w.startsWith('--'))) {
    const name = option.slice(2).split('=')[0]!
    const read = new RegExp(`(['"\`]--${name}\\b|\\b${name.replace(/-/g, '[-_]?')}\\s*:|['"]${name}['"]\\s*:)`, 'i')
    if (!read.test(source)) problems.push(`node: ${script} does not read ${option.split('=')[0]}`)
  }
  return problems
}

/** Each `NAME=value` before a command is read by one of `texts`. */
function checkVariables(command: SimpleCommand, texts: readonly string[], what = 'the sources of the repository'): string[] {
  return command.assignments.filter((a) => !texts.some((t) => t.includes(a.name))).map((a) => `${a.name} is not read by ${what}`)
}
