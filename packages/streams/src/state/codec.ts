import { Packr } from 'msgpackr'

/**
 * How state reaches changelog topics: keys and values as MessagePack (msgpackr, records extension
 * off, so any MessagePack reader can decode them). Store metadata (a partition's stream time) is kept
 * under keys that start with 0xc1, a byte MessagePack never uses, so they cannot collide with a key.
 */
const packr = new Packr({ useRecords: false, moreTypes: false })

const META_PREFIX = 0xc1

/** A state key or value as MessagePack bytes. */
export function packState(value: unknown): Buffer {
  return packr.pack(value)
}

/** Bytes written by {@link packState}, decoded. */
export function unpackState(bytes: Buffer): unknown {
  return packr.unpack(bytes)
}

/** The changelog key of a store metadata entry. */
export function metaKeyBytes(name: string): Buffer {
  return Buffer.concat([Buffer.of(META_PREFIX), Buffer.from(name, 'utf8')])
}

/** The metadata name of a changelog key, or undefined for an ordinary key. */
export function metaNameOf(key: Buffer): string | undefined {
  return key.length > 0 && key[0] === META_PREFIX ? key.subarray(1).toString('utf8') : undefined
}

/**
 * The in-memory map key of a state key: strings as themselves (the common case, without encoding),
 * anything else (numbers, Buffers, objects) as its MessagePack bytes behind a NUL, which no plain
 * string key starts with.
 */
export function mapKeyOf(key: unknown): string {
  if (typeof key === 'string' && key.charCodeAt(0) !== 0) return key
  return `\u0000${packr.pack(key).toString('latin1')}`
}
