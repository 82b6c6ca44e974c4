// Rewrites the API table of docs/compatibility.md from the broker's handler registry.
import { readFileSync, writeFileSync } from 'node:fs'
import { replaceApiTable } from './api-table.ts'
import { COMPATIBILITY_PAGE } from './paths.ts'

const page = readFileSync(COMPATIBILITY_PAGE, 'utf8')
const next = replaceApiTable(page)
if (next !== page) writeFileSync(COMPATIBILITY_PAGE, next)
console.log(next === page ? 'docs/compatibility.md is up to date' : 'docs/compatibility.md: API table regenerated')
