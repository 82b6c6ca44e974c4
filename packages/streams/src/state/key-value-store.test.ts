import { describe, expect, it } from 'vitest'
import { packState, unpackState } from './codec.js'
import { KeyValueStore } from './key-value-store.js'

describe('KeyValueStore', () => {
  it('reports changes since the last commit as changelog records (latest value per key, deletions as null)', () => {
    const store = new KeyValueStore<number>('totals', 0)
    store.put('old', 1)
    store.commit()
    store.put('a', 1)
    store.put('a', 2)
    store.put('b', 3)
    store.put(7, 4)
    store.delete('b') // created and deleted since the commit: nothing to write
    store.delete('old')
    store.setMeta('streamTime', 1234)
    const changes = store.changes().map((c) => ({ key: c.key[0] === 0xc1 ? `meta:${c.key.subarray(1)}` : unpackState(c.key), value: c.value === null ? null : unpackState(c.value) }))
    expect(changes).toEqual([
      { key: 'a', value: 2 },
      { key: 7, value: 4 },
      { key: 'old', value: null },
      { key: 'meta:streamTime', value: 1234 },
    ])
    store.commit()
    expect(store.dirty).toBe(false)
    expect(store.changes()).toEqual([])
  })

  it('rolls back to the last commit, even when a stored object was changed in place', () => {
    const store = new KeyValueStore<{ n: number }>('s', 0)
    store.put('k', { n: 1 })
    store.put('gone', { n: 9 })
    store.commit()
    const current = store.get('k')!
    current.n = 100 // an aggregator that changes the aggregate in place
    store.put('k', current)
    store.delete('gone')
    store.put('new', { n: 5 })
    store.setMeta('streamTime', 5)
    store.rollback()
    expect(store.get('k')).toEqual({ n: 1 })
    expect(store.get('gone')).toEqual({ n: 9 })
    expect(store.get('new')).toBeUndefined()
    expect(store.getMeta('streamTime')).toBeUndefined()
    expect(store.dirty).toBe(false)
  })

  it('restores from changelog records, keys of any type compared by value', () => {
    const source = new KeyValueStore<string[]>('s', 3)
    source.put({ user: 'u1', page: 2 }, ['x'])
    source.put(Buffer.from('raw'), ['y'])
    source.put('plain', ['z'])
    source.setMeta('streamTime', 99)
    const restored = new KeyValueStore<string[]>('s', 3)
    for (const c of source.changes()) restored.restore(c.key, c.value)
    restored.restore(packState('plain'), null)
    expect(restored.get({ user: 'u1', page: 2 })).toEqual(['x'])
    expect(restored.get(Buffer.from('raw'))).toEqual(['y'])
    expect(restored.get('plain')).toBeUndefined()
    expect(restored.getMeta('streamTime')).toBe(99)
    expect(restored.dirty).toBe(false)
  })

  it('keeps a string key and the same text as another type apart', () => {
    const store = new KeyValueStore<number>('s', 0, false)
    store.put('1', 1)
    store.put(1, 2)
    store.put('\u0000odd', 3)
    expect([store.get('1'), store.get(1), store.get('\u0000odd'), store.size]).toEqual([1, 2, 3, 3])
  })
})
