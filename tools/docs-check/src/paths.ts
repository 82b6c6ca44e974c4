import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { markdownFiles } from './markdown.ts'

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const DOCS_DIR = join(REPO_ROOT, 'docs')
export const COMPATIBILITY_PAGE = join(DOCS_DIR, 'compatibility.md')
/** Where samples are written to be run (git-ignored; removed after the tests). */
export const RUNS_DIR = join(REPO_ROOT, 'tools', 'docs-check', '.runs')
/** The `tributary` command's launcher. */
export const CLI_LAUNCHER = join(REPO_ROOT, 'packages', 'cli', 'bin', 'tributary.js')

/** Every page the docs test reads: docs/**\/*.md, README.md, and the README of each package and app. */
export function docPages(): string[] {
  const readmes = ['packages', 'apps']
    .flatMap((group) => readdirSync(join(REPO_ROOT, group)).sort().map((entry) => join(REPO_ROOT, group, entry, 'README.md')))
    .filter((path) => existsSync(path))
  return [...markdownFiles(DOCS_DIR), join(REPO_ROOT, 'README.md'), ...readmes]
}
