/**
 * Mutations of request frames. A frame here includes its 4-byte size prefix; unless a mutation is
 * about framing itself, the prefix is fixed up afterwards so the broker reads the damaged request
 * as one request. Every choice comes from the `rnd` given, so a run can be replayed from its seed.
 */

/** A mutated frame and the names of the mutations applied, for reports. */
export interface Mutant {
  frame: Buffer
  mutations: string[]
}

type Mutation = (frame: Buffer, rnd: () => number, donor: Buffer) => Buffer

/** Where the request header's fields sit: size (0), API key (4), version (6), correlation id (8). */
const API_KEY_AT = 4
const VERSION_AT = 6
const BODY_AT = 12

const EDGE_INT32 = [0, -1, 1, 0x7fffffff, -0x80000000, 0x7ffffffe, 0x10000, 0xffff, 64 << 20]
const EDGE_INT16 = [0, -1, 1, 0x7fff, -0x8000, 255]
const EDGE_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01]

const at = (frame: Buffer, rnd: () => number, width = 1) => BODY_AT + Math.floor(rnd() * Math.max(1, frame.length - BODY_AT - width + 1))
const pick = <T>(items: readonly T[], rnd: () => number): T => items[Math.floor(rnd() * items.length)]!

/** Body mutations: the frame stays one frame. */
const BODY: Record<string, Mutation> = {
  flipBits(frame, rnd) {
    const out = Buffer.from(frame)
    for (let n = 1 + Math.floor(rnd() * 6); n > 0 && out.length > BODY_AT; n--) out[at(out, rnd)]! ^= 1 << Math.floor(rnd() * 8)
    return out
  },
  edgeByte(frame, rnd) {
    const out = Buffer.from(frame)
    if (out.length > BODY_AT) out[at(out, rnd)] = pick(EDGE_BYTES, rnd)
    return out
  },
  edgeInt16(frame, rnd) {
    const out = Buffer.from(frame)
    if (out.length >= BODY_AT + 2) out.writeInt16BE(pick(EDGE_INT16, rnd), at(out, rnd, 2))
    return out
  },
  edgeInt32(frame, rnd) {
    const out = Buffer.from(frame)
    if (out.length >= BODY_AT + 4) out.writeInt32BE(pick(EDGE_INT32, rnd), at(out, rnd, 4))
    return out
  },
  hugeVarint(frame, rnd) {
    const out = Buffer.from(frame)
    const start = at(out, rnd)
    for (let i = start; i < Math.min(out.length, start + 5); i++) out[i] = i === start + 4 ? 0x0f : 0xff
    return out
  },
  truncate(frame, rnd) {
    return frame.subarray(0, BODY_AT + Math.floor(rnd() * Math.max(1, frame.length - BODY_AT)))
  },
  appendGarbage(frame, rnd) {
    return Buffer.concat([frame, randomBytes(1 + Math.floor(rnd() * 64), rnd)])
  },
  insertBytes(frame, rnd) {
    const where = at(frame, rnd)
    return Buffer.concat([frame.subarray(0, where), randomBytes(1 + Math.floor(rnd() * 8), rnd), frame.subarray(where)])
  },
  deleteBytes(frame, rnd) {
    const where = at(frame, rnd)
    return Buffer.concat([frame.subarray(0, where), frame.subarray(Math.min(frame.length, where + 1 + Math.floor(rnd() * 8)))])
  },
  spliceDonor(frame, rnd, donor) {
    // The head of this request with the tail of another of the same API and version.
    const cut = at(frame, rnd)
    const from = BODY_AT + Math.floor(rnd() * Math.max(1, donor.length - BODY_AT))
    return Buffer.concat([frame.subarray(0, cut), donor.subarray(from)])
  },
  duplicateRange(frame, rnd) {
    const start = at(frame, rnd)
    const end = Math.min(frame.length, start + 1 + Math.floor(rnd() * 32))
    return Buffer.concat([frame.subarray(0, end), frame.subarray(start, end), frame.subarray(end)])
  },
}

/** Header mutations: another version or API key for the same body. */
const HEADER: Record<string, Mutation> = {
  otherVersion(frame, rnd) {
    const out = Buffer.from(frame)
    out.writeInt16BE(rnd() < 0.5 ? out.readInt16BE(VERSION_AT) + (rnd() < 0.5 ? 1 : -1) : pick(EDGE_INT16, rnd), VERSION_AT)
    return out
  },
  otherApiKey(frame, rnd) {
    const out = Buffer.from(frame)
    out.writeInt16BE(rnd() < 0.8 ? Math.floor(rnd() * 70) : pick(EDGE_INT16, rnd), API_KEY_AT)
    return out
  },
}

/** Framing mutations: the size prefix lies, so the stream after this frame is misread. */
const FRAMING: Record<string, Mutation> = {
  sizeTooSmall(frame, rnd) {
    const out = Buffer.from(frame)
    out.writeInt32BE(Math.max(0, frame.length - 4 - 1 - Math.floor(rnd() * 16)), 0)
    return out
  },
  sizeTooLarge(frame, rnd) {
    const out = Buffer.from(frame)
    out.writeInt32BE(frame.length - 4 + 1 + Math.floor(rnd() * 64), 0)
    return out
  },
  sizeHostile(frame, rnd) {
    const out = Buffer.from(frame)
    out.writeInt32BE(pick([-1, 0, 0x7fffffff, 104_857_601, 3], rnd), 0)
    return out
  },
}

function randomBytes(n: number, rnd: () => number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)))
}

function fixSize(frame: Buffer): Buffer {
  const out = frame.length >= 4 ? Buffer.from(frame) : Buffer.alloc(4)
  out.writeInt32BE(out.length - 4, 0)
  return out
}

/**
 * Mutates a valid request frame: one to four body mutations (bit flips, edge values, a huge
 * varint, truncation, garbage, inserted, deleted or repeated bytes, a donor's tail), sometimes a
 * header mutation, and rarely (`framingShare`) a size prefix that lies. One frame in ten is sent
 * unchanged, so the broker's state moves on as with real clients.
 *
 * @example
 * ```ts
 * const { frame, mutations } = mutateFrame(seed.frame, rnd, donor.frame)
 * ```
 */
export function mutateFrame(seed: Buffer, rnd: () => number, donor: Buffer, framingShare = 0.01): Mutant {
  const r = rnd()
  if (r < 0.1) return { frame: seed, mutations: ['none'] }
  if (r < 0.1 + framingShare) {
    const name = pick(Object.keys(FRAMING), rnd)
    return { frame: FRAMING[name]!(seed, rnd, donor), mutations: [name] }
  }
  const mutations: string[] = []
  let frame = seed
  if (rnd() < 0.1) {
    const name = pick(Object.keys(HEADER), rnd)
    frame = HEADER[name]!(frame, rnd, donor)
    mutations.push(name)
  }
  for (let n = 1 + Math.floor(rnd() * 4); n > 0; n--) {
    const name = pick(Object.keys(BODY), rnd)
    frame = BODY[name]!(frame, rnd, donor)
    mutations.push(name)
  }
  return { frame: fixSize(frame), mutations }
}
