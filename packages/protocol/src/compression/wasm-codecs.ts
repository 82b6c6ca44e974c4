import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

declare const __filename: string | undefined

/** The slice of the WebAssembly JS API used here (the project's `lib` settings do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => { exports: unknown }
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/** The functions the snappy/lz4 WebAssembly module of `@platformatic/wasm-utils` exports. */
interface WasmExports {
  memory: { buffer: ArrayBuffer }
  alloc(len: number): number
  dealloc(ptr: number, len: number): void
  lz4_compress(ptr: number, len: number): bigint
  lz4_decompress(ptr: number, len: number): bigint
  snappy_compress(ptr: number, len: number): bigint
  snappy_decompress(ptr: number, len: number): bigint
}

/** One of the byte-to-byte transforms the module offers. */
export type WasmTransform = 'lz4_compress' | 'lz4_decompress' | 'snappy_compress' | 'snappy_decompress'

/*
 * Why our own binding rather than the package's JavaScript wrapper: the module reports bad input by
 * trapping (a Rust panic), and a trap leaves its allocator in an unknown state: in our tests, twenty
 * thousand corrupt inputs leaked 700 MB and then broke decompression of valid data. Here a trap
 * discards the instance and the next call starts a fresh one from the compiled module, so corrupt
 * batches cost a re-instantiation and nothing else. We load the same `native.wasm` file, which has no
 * imports, so the package's ESM-only wrapper is not needed either.
 */

let compiled: object | undefined
let instance: WasmExports | undefined
let inputPtr = 0
let inputCap = 0
const RELEASE_ABOVE = 64 * 1024 * 1024

function compile(): object {
  const require = createRequire(typeof __filename === 'string' ? __filename : import.meta.url)
  const entry = require.resolve('@platformatic/wasm-utils')
  return new WebAssemblyApi.Module(readFileSync(join(dirname(entry), 'native.wasm')))
}

function exportsOf(): WasmExports {
  if (instance) return instance
  compiled ??= compile()
  instance = new WebAssemblyApi.Instance(compiled).exports as unknown as WasmExports
  inputCap = 64 * 1024
  inputPtr = instance.alloc(inputCap)
  return instance
}

/**
 * Runs `transform` over `data` and returns the result in a new Buffer that starts with `reserveFront`
 * bytes left for the caller (so an encoder can write a header in front without another copy).
 * Any failure inside the module throws the module's own error after the instance is discarded.
 */
export function runWasm(transform: WasmTransform, data: Uint8Array, reserveFront = 0): Buffer {
  const wasm = exportsOf()
  try {
    if (data.length > inputCap) {
      wasm.dealloc(inputPtr, inputCap)
      inputCap = Math.max(data.length, inputCap * 2)
      inputPtr = wasm.alloc(inputCap)
    }
    new Uint8Array(wasm.memory.buffer, inputPtr, data.length).set(data)
    const packed = wasm[transform](inputPtr, data.length)
    const ptr = Number(packed >> 32n)
    const len = Number(packed & 0xffffffffn)
    const out = Buffer.allocUnsafe(reserveFront + len)
    out.set(new Uint8Array(wasm.memory.buffer, ptr, len), reserveFront)
    wasm.dealloc(ptr, len)
    // Memory a WebAssembly instance grows is never returned; after an unusually large input, start
    // afresh so one 100 MB batch does not pin 100 MB for the life of the process.
    if (wasm.memory.buffer.byteLength > RELEASE_ABOVE) instance = undefined
    return out
  } catch (err) {
    instance = undefined
    throw err
  }
}
