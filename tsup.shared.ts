import { defineConfig, type Options } from 'tsup'

/** The one build every publishable package uses: ESM + CJS + declarations from `src/index.ts`. */
export function packageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    ...overrides,
  })
}
