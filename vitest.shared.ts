import { defineConfig } from 'vitest/config'

/** Test settings shared by every package: sibling packages resolve to their TypeScript source. */
export function packageTests(overrides: { testTimeout?: number; include?: string[] } = {}) {
  return defineConfig({
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: {
      include: overrides.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 30_000,
      hookTimeout: 30_000,
      pool: 'forks',
    },
  })
}
