import { DtlError } from '@dtl/core';
import type { WeightedCsr } from '@dtl/core';
import type { AdamHyper } from './adam.ts';
import { createSyncTeam } from './sync-team.ts';
import type { SyncTeam } from './sync-team.ts';
import { tryCreateWasmArena } from './wasm-arena.ts';
import type { WasmArena } from './wasm-arena.ts';
import { wasmAdamDense, wasmAxpy, wasmAxpyRows, wasmSpmm, wasmSpmmScatterRows } from './internal/wasm-kernels.ts';

/**
 * The engine training runs on: one object that owns the arena, the thread team and the
 * WebAssembly/JS choice, so models never pick kernels themselves (the tfjs lesson: ops do not choose
 * backends, the engine dispatches). Buffers allocated with {@link Compute.f32} / {@link Compute.i32}
 * live in the arena when wasm is on (and it has room), else in plain SharedArrayBuffers; every kernel
 * runs WebAssembly SIMD when all its arrays lie in the arena and the JS kernel otherwise, on the team
 * when there is one (propagation, dense Adam). Results are independent of the thread count; wasm and
 * JS results differ by float32 rounding (see `internal/wasm-kernels.ts`).
 */
export interface Compute {
  /** Threads including the caller. */
  readonly threads: number;
  /** Whether buffers go to a WebAssembly arena (false when `wasm: false` or wasm SIMD is unavailable). */
  readonly wasm: boolean;
  /** The arena buffers are allocated from (undefined on the JS path). */
  readonly arena: WasmArena | undefined;
  /** The thread team (undefined with one thread). */
  readonly team: SyncTeam | undefined;
  /** A zero-filled Float32Array: in the arena when there is one with room, else over a SharedArrayBuffer. */
  f32(length: number): Float32Array;
  /** A zero-filled Int32Array, placed like {@link f32}. */
  i32(length: number): Int32Array;
  /** A copy of A's arrays where the kernels read them in place (the arena), or A itself without one. */
  csr(a: WeightedCsr): WeightedCsr;
  /** Y = A·X (Y overwritten, X and Y must not alias); rows split across the team. */
  spmm(a: WeightedCsr, x: Float32Array, y: Float32Array, dim: number): void;
  /** Y += Aᵀ·X restricted to the listed rows of X (all other rows of X taken as zero). */
  spmmScatterRows(a: WeightedCsr, x: Float32Array, rows: Int32Array, rowCount: number, y: Float32Array, dim: number): void;
  /** y ← a·x (`accumulate` false) or y ← y + a·x over [start, end), in float32. */
  axpy(y: Float32Array, x: Float32Array, a: number, accumulate: boolean, start?: number, end?: number): void;
  /** y[r] ← y[r] + a·x[r] in float32 for each listed row r of width `dim`. */
  axpyRows(y: Float32Array, x: Float32Array, a: number, rows: Int32Array, rowCount: number, dim: number): void;
  /** Dense Adam at 1-based step `t` over all of p (PyTorch semantics, see `adam.ts`). */
  adamDense(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper, t: number): void;
  /** Ends the team's helper threads when this object started them. Idempotent. */
  close(): void;
}

/** Options of {@link createCompute}. */
export interface ComputeOptions {
  /** Threads including the caller, default 1 (a `createSyncTeam` is started for more; `close()` ends it). */
  readonly threads?: number | undefined;
  /** An existing team to run on instead of starting one (not closed by `close()`); overrides `threads`. */
  readonly team?: SyncTeam | undefined;
  /** Use the WebAssembly SIMD kernels where supported, default true. */
  readonly wasm?: boolean | undefined;
  /** An existing arena to allocate from (implies wasm); default a new one when wasm is on. */
  readonly arena?: WasmArena | undefined;
  /** Bytes a new arena reserves up front, default 1 MiB (it grows on demand). */
  readonly initialBytes?: number | undefined;
}

function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(4, length * 4))).subarray(0, length);
}

function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(4, length * 4))).subarray(0, length);
}

/**
 * A {@link Compute}: `threads` (default 1) or an existing `team`, and WebAssembly SIMD kernels over a
 * private arena unless `wasm: false` (or wasm SIMD is unavailable, then the JS kernels).
 */
export function createCompute(options: ComputeOptions = {}): Compute {
  const threads = options.threads ?? 1;
  if (options.team === undefined && (!Number.isInteger(threads) || threads < 1)) throw new DtlError('INVALID_ARGUMENT', `threads must be an integer ≥ 1, got ${threads}`);
  const ownTeam = options.team === undefined && threads > 1 ? createSyncTeam({ threads }) : undefined;
  const team = options.team ?? ownTeam;
  const arena = options.arena ?? (options.wasm === false ? undefined : tryCreateWasmArena({ initialBytes: options.initialBytes ?? 1 << 20 }));
  const inArena = <T>(alloc: (a: WasmArena) => T, fallback: () => T): T => {
    if (arena) {
      try {
        return alloc(arena);
      } catch {
        // Arena full: a plain shared buffer (the kernels then fall back to JS for calls using it).
      }
    }
    return fallback();
  };
  // Without a team the wasm* functions run wasm when all arrays are in one arena, else JS.
  const spmm = team ? team.spmm.bind(team) : wasmSpmm;
  return {
    threads: team?.threads ?? 1,
    wasm: arena !== undefined,
    arena,
    team,
    f32: (length) => inArena((a) => a.f32(length), () => sharedFloat32(length)),
    i32: (length) => inArena((a) => a.i32(length), () => sharedInt32(length)),
    csr(a) {
      if (!arena) return a;
      try {
        const indptr = arena.i32(a.indptr.length);
        const indices = arena.i32(a.indices.length);
        const values = arena.f32(a.values.length);
        indptr.set(a.indptr);
        indices.set(a.indices);
        values.set(a.values);
        return { nRows: a.nRows, nCols: a.nCols, indptr, indices, values };
      } catch {
        return a;
      }
    },
    spmm,
    spmmScatterRows: wasmSpmmScatterRows,
    axpy: wasmAxpy,
    axpyRows: wasmAxpyRows,
    adamDense(p, g, m, v, h, t) {
      if (team) team.adamDense(p, g, m, v, h, t);
      else wasmAdamDense(p, g, m, v, h, t, 0, p.length);
    },
    close() {
      ownTeam?.close();
    },
  };
}
