import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/**
 * The allowed direction of dependencies between workspace packages (see DESIGN.md):
 * protocol ← client ← producer, consumer ← streams; protocol ← broker; cli and the demo use everything.
 * A package may depend only on the packages listed for it, at runtime or in tests.
 */
export const ALLOWED_DEPENDENCIES: Record<string, string[]> = {
  '@tributary/protocol': [],
  '@tributary/broker': ['@tributary/protocol'],
  '@tributary/client': ['@tributary/protocol'],
  '@tributary/producer': ['@tributary/protocol', '@tributary/client'],
  '@tributary/consumer': ['@tributary/protocol', '@tributary/client'],
  '@tributary/streams': ['@tributary/protocol', '@tributary/client', '@tributary/producer', '@tributary/consumer'],
  '@tributary/cli': ['*'],
  '@tributary/demo': ['*'],
  '@tributary/testkit': ['*'],
  '@tributary/repo-checks': [],
  '@tributary/docs-check': ['*'],
  '@tributary/bench-charts': [],
}

/** Packages a package's tests (not its source) may additionally use, e.g. a broker to test against. */
export const ALLOWED_TEST_DEPENDENCIES = ['@tributary/testkit', '@tributary/broker', '@tributary/client', '@tributary/producer', '@tributary/consumer']

export interface WorkspacePackage {
  name: string
  dir: string
  dependencies: string[]
}

export function listWorkspacePackages(root: string): WorkspacePackage[] {
  const out: WorkspacePackage[] = []
  for (const group of ['packages', 'apps', 'tools']) {
    const groupDir = join(root, group)
    let entries: string[] = []
    try {
      entries = readdirSync(groupDir)
    } catch {
      continue
    }
    for (const entry of entries) {
      const dir = join(groupDir, entry)
      let manifest: { name: string; dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }
      try {
        manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      } catch {
        continue
      }
      const deps = { ...manifest.dependencies, ...manifest.peerDependencies }
      out.push({ name: manifest.name, dir, dependencies: Object.keys(deps).filter((d) => d.startsWith('@tributary/')) })
    }
  }
  return out
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) yield* sourceFiles(path)
    else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(entry)) yield path
  }
}

const IMPORT = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](@tributary\/[a-z-]+)(\/[^'"]*)?['"]/g

/** Every rule the workspace breaks, as readable lines; empty when the graph is clean. */
export function findGraphViolations(root: string): string[] {
  const problems: string[] = []
  for (const pkg of listWorkspacePackages(root)) {
    const allowed = ALLOWED_DEPENDENCIES[pkg.name]
    if (!allowed) {
      problems.push(`${pkg.name} is not listed in ALLOWED_DEPENDENCIES; add it with the packages it may use`)
      continue
    }
    const ok = (dep: string, inTest: boolean) =>
      dep === pkg.name || allowed.includes('*') || allowed.includes(dep) || (inTest && ALLOWED_TEST_DEPENDENCIES.includes(dep))
    for (const dep of pkg.dependencies) {
      if (!ok(dep, false)) problems.push(`${pkg.name} depends on ${dep}, which the package graph does not allow`)
    }
    // The checker's own tests write violating imports on purpose, as fixtures.
    if (pkg.name === '@tributary/repo-checks') continue
    for (const file of sourceFiles(pkg.dir)) {
      const text = readFileSync(file, 'utf8')
      const rel = relative(root, file)
      const inTest = /\.test\.ts$|\/test\/|\/bench\//.test(rel)
      for (const m of text.matchAll(IMPORT)) {
        const [, dep, subpath] = m
        if (subpath) problems.push(`${rel} imports ${dep}${subpath}: import only from a package's public entry point`)
        if (!ok(dep!, inTest)) problems.push(`${rel} imports ${dep}, which ${pkg.name} may not use`)
      }
    }
  }
  return problems
}
