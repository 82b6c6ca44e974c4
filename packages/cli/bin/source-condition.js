// Module resolution hook used by tributary.js when it runs from source: resolves workspace packages
// through their "source" export condition (their src/index.ts) instead of a dist/ that may not exist.
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'source'] })
}
