import { describe, expect, it } from 'vitest'
import { DecodeError } from '../errors/kafka-error.js'
import { FrameSplitter } from './frame-splitter.js'

function frame(payload: string): Buffer {
  const body = Buffer.from(payload)
  const size = Buffer.alloc(4)
  size.writeInt32BE(body.length)
  return Buffer.concat([size, body])
}

describe('FrameSplitter', () => {
  const stream = Buffer.concat([frame('alpha'), frame(''), frame('a much longer third frame'), frame('x')])
  const expected = ['alpha', '', 'a much longer third frame', 'x']

  it('returns every frame whatever the chunk boundaries', () => {
    for (let chunkSize = 1; chunkSize <= stream.length; chunkSize++) {
      const splitter = new FrameSplitter()
      const out: string[] = []
      for (let at = 0; at < stream.length; at += chunkSize) {
        for (const f of splitter.push(stream.subarray(at, at + chunkSize))) out.push(f.toString())
      }
      expect(out, `chunk size ${chunkSize}`).toEqual(expected)
      expect(splitter.pendingBytes).toBe(0)
    }
  })

  it('holds a partial frame until the rest arrives', () => {
    const splitter = new FrameSplitter()
    expect(splitter.push(stream.subarray(0, 7))).toEqual([])
    expect(splitter.pendingBytes).toBe(7)
    expect(splitter.push(stream.subarray(7, 9)).map(String)).toEqual(['alpha'])
  })

  it('rejects an oversized or negative size before allocating', () => {
    const huge = Buffer.alloc(100)
    huge.writeInt32BE(0x7fffffff)
    expect(() => new FrameSplitter(1024).push(huge)).toThrow(DecodeError)
    expect(() => new FrameSplitter(1024).push(huge)).toThrow(/exceeds the maximum of 1024/)
    const negative = Buffer.alloc(4)
    negative.writeInt32BE(-5)
    expect(() => new FrameSplitter().push(negative)).toThrow(/negative size/)
    const split = new FrameSplitter(1024)
    split.push(huge.subarray(0, 2))
    expect(() => split.push(huge.subarray(2))).toThrow(DecodeError)
  })
})
