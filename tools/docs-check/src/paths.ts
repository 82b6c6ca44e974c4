import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const DOCS_DIR = join(REPO_ROOT, 'docs')
export const COMPATIBILITY_PAGE = join(DOCS_DIR, 'compatibility.md')
