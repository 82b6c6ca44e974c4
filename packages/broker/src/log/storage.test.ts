import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readBytes } from './storage.js'
import { STORAGE_KINDS, makeStorage, type StorageFixture } from './test-helpers.js'

describe.each(STORAGE_KINDS)('%s storage', (kind) => {
  let f: StorageFixture
  beforeEach(() => {
    f = makeStorage(kind)
  })
  afterEach(() => f.cleanup())

  it('appends, reads at positions, truncates and reopens files', () => {
    const path = join(f.root, 'a.log')
    const file = f.storage.open(path)
    file.append(Buffer.from('hello '))
    file.append(Buffer.alloc(3 * 1024 * 1024, 7))
    file.append(Buffer.from('world'))
    expect(file.size()).toBe(6 + 3 * 1024 * 1024 + 5)
    expect(readBytes(file, 0, 6).toString()).toBe('hello ')
    expect(readBytes(file, file.size() - 5, 100).toString()).toBe('world')
    expect(readBytes(file, file.size(), 10).length).toBe(0)
    file.truncate(8)
    expect(readBytes(file, 0, 100)).toEqual(Buffer.from([...Buffer.from('hello '), 7, 7]))
    file.sync()
    file.close()
    const again = f.storage.open(path)
    expect(again.size()).toBe(8)
    again.append(Buffer.from('!'))
    expect(f.storage.readAll(path)!.toString('latin1').endsWith('!')).toBe(true)
    again.close()
  })

  it('lists, renames and removes files and directories', () => {
    const dir = join(f.root, 'p-0')
    f.storage.mkdirs(dir)
    f.storage.writeAtomic(join(dir, 'x'), Buffer.from('1'))
    f.storage.writeAtomic(join(dir, 'x'), Buffer.from('2'))
    expect(f.storage.readAll(join(dir, 'x'))!.toString()).toBe('2')
    expect(f.storage.list(dir)).toEqual(['x'])
    expect(f.storage.isDirectory(dir)).toBe(true)
    f.storage.rename(dir, join(f.root, 'p-0.gone-delete'))
    expect(f.storage.exists(dir)).toBe(false)
    expect(f.storage.readAll(join(f.root, 'p-0.gone-delete', 'x'))!.toString()).toBe('2')
    f.storage.removeDir(join(f.root, 'p-0.gone-delete'))
    expect(f.storage.list(f.root)).toEqual([])
    expect(f.storage.readAll(join(f.root, 'missing'))).toBeUndefined()
    expect(f.storage.list(join(f.root, 'missing'))).toEqual([])
  })
})
