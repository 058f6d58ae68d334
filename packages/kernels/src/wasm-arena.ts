import { DtlError } from '@dtl/core';
import { PAGE, wasmApi } from './internal/wasm-asm.ts';
import type { WasmMemory } from './internal/wasm-asm.ts';
import { MAX_PAGES, compiledModule } from './internal/wasm-kernel-module.ts';

/** A shared `WebAssembly.Memory` (the TypeScript libs of this repo do not declare WebAssembly). */
export type WasmArenaMemory = WasmMemory;

/**
 * A bump allocator over one shared `WebAssembly.Memory`: typed-array views whose byte offsets the
 * wasm kernels (`internal/wasm-kernels.ts`, reached through `createCompute`) take directly, so training buffers are never copied in or out.
 *
 * Why shared: a shared memory never moves when it grows, so views handed out earlier stay valid
 * (a non-shared memory detaches its old `ArrayBuffer` on growth), and worker threads can instantiate
 * the same kernels on the same memory (`createSyncTeam` does). Views are plain `Float32Array` /
 * `Int32Array` over a `SharedArrayBuffer` (with a non-zero `byteOffset`); anything that accepts
 * such a view (postMessage, `fs.writeSync(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))`)
 * works with them. Memory is never freed; the arena goes away with its last reference.
 */
export interface WasmArena {
  /** The shared memory (post it to a worker to share the arena). */
  readonly memory: WasmArenaMemory;
  /** A zero-filled Float32Array of `length` elements, 16-byte aligned. Grows the memory as needed. */
  f32(length: number): Float32Array;
  /** A zero-filled Int32Array of `length` elements, 16-byte aligned. */
  i32(length: number): Int32Array;
  /** Whether `view` lies in this arena's memory. */
  owns(view: ArrayBufferView): boolean;
  /** Bytes handed out so far (including alignment padding). */
  readonly usedBytes: number;
}

export interface WasmArenaOptions {
  /** Bytes reserved up front, default 1 MiB (rounded up to 64 KiB pages). */
  readonly initialBytes?: number;
  /**
   * Largest size the memory may grow to, default 4 GiB (65536 pages, the wasm32 limit). Only address
   * space is reserved up front, not memory.
   */
  readonly maximumBytes?: number;
}

const owners = new WeakMap<object, WasmArena>();
let supported: boolean | undefined;

/**
 * Whether WebAssembly SIMD kernels over a shared memory can run here (compiles the kernels once;
 * false on engines without SIMD, threads or WebAssembly).
 */
export function wasmKernelsSupported(): boolean {
  if (supported === undefined) {
    const api = wasmApi();
    let ok = false;
    try {
      if (api && typeof SharedArrayBuffer !== 'undefined' && compiledModule('base') !== null) {
        const m = new api.Memory({ initial: 1, maximum: 1, shared: true });
        ok = m.buffer instanceof SharedArrayBuffer;
      }
    } catch {
      ok = false;
    }
    supported = ok;
  }
  return supported;
}

/**
 * A new arena. Throws `UNSUPPORTED` where wasm kernels cannot run (see {@link wasmKernelsSupported})
 * or the engine refuses the memory reservation.
 */
export function createWasmArena(options: WasmArenaOptions = {}): WasmArena {
  if (!wasmKernelsSupported()) throw new DtlError('UNSUPPORTED', 'WebAssembly SIMD with shared memory is not available');
  const initialBytes = options.initialBytes ?? 1 << 20;
  const maximumBytes = options.maximumBytes ?? MAX_PAGES * PAGE;
  if (!(initialBytes >= 0) || !(maximumBytes > 0)) throw new DtlError('INVALID_ARGUMENT', `arena sizes must be positive, got ${initialBytes} / ${maximumBytes}`);
  const maxPages = Math.min(MAX_PAGES, Math.ceil(maximumBytes / PAGE));
  const initial = Math.min(maxPages, Math.max(1, Math.ceil(initialBytes / PAGE)));
  let memory: WasmMemory;
  try {
    memory = new (wasmApi()!.Memory)({ initial, maximum: maxPages, shared: true });
  } catch (cause) {
    throw new DtlError('UNSUPPORTED', `could not reserve a shared WebAssembly memory of up to ${maxPages} pages`, { cause });
  }
  let buffer = memory.buffer;
  let used = 0;
  const buffers = new WeakSet<object>([buffer]);
  const reserve = (bytes: number): number => {
    if (!Number.isInteger(bytes) || bytes < 0) throw new DtlError('INVALID_ARGUMENT', `arena allocation must be a non-negative integer size, got ${bytes}`);
    const offset = Math.ceil(used / 16) * 16;
    const end = offset + bytes;
    if (end > buffer.byteLength) {
      const pages = Math.ceil((end - buffer.byteLength) / PAGE);
      try {
        memory.grow(pages);
      } catch (cause) {
        throw new DtlError('UNSUPPORTED', `wasm arena cannot grow to ${end} bytes (maximum ${maxPages * PAGE})`, { cause });
      }
      buffer = memory.buffer;
      buffers.add(buffer);
      owners.set(buffer, arena);
    }
    used = end;
    return offset;
  };
  const arena: WasmArena = {
    memory,
    f32(length) {
      const offset = reserve(length * 4);
      return new Float32Array(buffer, offset, length);
    },
    i32(length) {
      const offset = reserve(length * 4);
      return new Int32Array(buffer, offset, length);
    },
    owns(view) {
      return buffers.has(view.buffer);
    },
    get usedBytes() {
      return used;
    },
  };
  owners.set(buffer, arena);
  return arena;
}

/** {@link createWasmArena}, or undefined where it is unsupported or refused (callers then use plain SharedArrayBuffers). */
export function tryCreateWasmArena(options: WasmArenaOptions = {}): WasmArena | undefined {
  try {
    return createWasmArena(options);
  } catch {
    return undefined;
  }
}

let defaultArena: WasmArena | null | undefined;

/** A process-wide arena created on first use (undefined where unsupported). Never freed. */
export function defaultWasmArena(): WasmArena | undefined {
  if (defaultArena === undefined) defaultArena = tryCreateWasmArena() ?? null;
  return defaultArena ?? undefined;
}

/** The arena holding all of `views`, or undefined when one of them is outside every arena or they are in different arenas. */
export function arenaOf(...views: ArrayBufferView[]): WasmArena | undefined {
  const first = views[0];
  if (!first) return undefined;
  const arena = owners.get(first.buffer);
  if (!arena) return undefined;
  for (let i = 1; i < views.length; i++) if (owners.get(views[i]!.buffer) !== arena) return undefined;
  return arena;
}
