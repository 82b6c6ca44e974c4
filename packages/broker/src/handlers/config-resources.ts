/** The resources that a request names more than once (by type and name); Kafka rejects each of them. */
export function duplicateResources<R extends { resourceType: number; resourceName: string }>(resources: readonly R[]): Set<R> {
  const seen = new Map<string, R[]>()
  for (const r of resources) {
    const key = `${r.resourceType}:${r.resourceName}`
    seen.set(key, [...(seen.get(key) ?? []), r])
  }
  return new Set([...seen.values()].filter((group) => group.length > 1).flat())
}
