import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'

/** Every file under `dir`, as paths relative to `root` with forward slashes. */
export function listFiles(root: string, dir: string): string[] {
  const abs = join(root, dir)
  if (!existsSync(abs)) return []
  const out: string[] = []
  for (const entry of readdirSync(abs, { withFileTypes: true })) {
    const path = join(abs, entry.name)
    if (entry.isDirectory()) out.push(...listFiles(root, relative(root, path)))
    else out.push(relative(root, path).split(sep).join('/'))
  }
  return out.sort()
}

export interface Differences {
  /** Generated files that are missing or differ on disk. */
  changed: string[]
  /** Files in the generated folder the generator no longer writes. */
  stale: string[]
}

/** Compares the generated outputs with what is on disk under `root`. */
export function compareOutputs(root: string, dir: string, outputs: Map<string, string>): Differences {
  const changed = [...outputs].filter(([path, content]) => {
    const abs = join(root, path)
    return !existsSync(abs) || readFileSync(abs, 'utf8') !== content
  }).map(([path]) => path)
  const stale = listFiles(root, dir).filter((path) => !outputs.has(path))
  return { changed, stale }
}

/** Writes the outputs that changed and deletes stale files; returns what it did. */
export function writeOutputs(root: string, dir: string, outputs: Map<string, string>): Differences {
  const diff = compareOutputs(root, dir, outputs)
  for (const path of diff.changed) {
    const abs = join(root, path)
    mkdirSync(dirname(abs), { recursive: true })
    writeFileSync(abs, outputs.get(path)!)
  }
  for (const path of diff.stale) rmSync(join(root, path))
  return diff
}
