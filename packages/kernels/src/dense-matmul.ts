/**
 * Dense row-major matrix products Y = A·X on the WebAssembly SIMD SpMM kernel: a dense n×k matrix is
 * a CSR matrix whose row r holds columns 0..k−1 and whose values are the matrix itself, so the only
 * extra state is one index structure per k (kept and grown). This reaches the SpMM kernel's speed
 * (several GFLOP/s here, 10–25× typed-array JS) for the small dense layers some models and samplers
 * need (e.g. DENS's gates), without a separate GEMM kernel. Operands must live in this object's
 * arena (allocate them with {@link DenseMatmul.buffer}) for the wasm path; otherwise, and where wasm
 * SIMD is unavailable, the JS SpMM kernel computes the same product.
 */
import { DtlError } from '@dtl/core';
import type { WeightedCsr } from '@dtl/core';
import { tryCreateWasmArena } from './wasm-arena.ts';
import type { WasmArena } from './wasm-arena.ts';
import { wasmSpmmRows } from './wasm-kernels.ts';

export interface DenseMatmul {
  /** The arena operands should live in (undefined: JS kernel only). */
  readonly arena: WasmArena | undefined;
  /** A zero-filled Float32Array of `length` in the arena (a plain one without an arena). */
  buffer(length: number): Float32Array;
  /** Y = A·X with A n×k, X k×m and Y n×m, all row-major; Y is overwritten and must not alias A or X. */
  matmul(a: Float32Array, x: Float32Array, y: Float32Array, n: number, k: number, m: number): void;
  /**
   * A linear layer on n rows: Y = X·Wᵀ + b (or Y += that with `accumulate`), W in PyTorch `nn.Linear`
   * layout `weight[out·inDim + in]`, X n×inDim, Y n×outDim.
   */
  linear(x: Float32Array, weight: Float32Array, bias: Float32Array | undefined, y: Float32Array, n: number, inDim: number, outDim: number, accumulate?: boolean): void;
  /** Yᵀ of an n×m row-major matrix into `out` (m×n). */
  transpose(y: Float32Array, out: Float32Array, n: number, m: number): void;
}

export interface DenseMatmulOptions {
  /** Arena to allocate in; default a new one (no wasm when unsupported). */
  readonly arena?: WasmArena | undefined;
}

interface DenseIndex {
  rows: number;
  indptr: Int32Array;
  indices: Int32Array;
}

export function createDenseMatmul(options: DenseMatmulOptions = {}): DenseMatmul {
  const arena = options.arena ?? tryCreateWasmArena({ initialBytes: 1 << 24 });
  const f32 = (n: number): Float32Array => (arena ? arena.f32(n) : new Float32Array(n));
  const i32 = (n: number): Int32Array => (arena ? arena.i32(n) : new Int32Array(n));
  const byK = new Map<number, DenseIndex>();
  const index = (n: number, k: number): DenseIndex => {
    let idx = byK.get(k);
    if (!idx || idx.rows < n) {
      const rows = Math.max(n, 2 * (idx?.rows ?? 0), 64);
      const indptr = i32(rows + 1);
      const indices = i32(rows * k);
      for (let r = 0; r <= rows; r++) indptr[r] = r * k;
      for (let t = 0; t < rows * k; t++) indices[t] = t % k;
      idx = { rows, indptr, indices };
      byK.set(k, idx);
    }
    return idx;
  };
  let wT = f32(0);
  let tmp = f32(0);
  const api: DenseMatmul = {
    arena,
    buffer: f32,
    transpose(y, out, n, m) {
      for (let r = 0; r < n; r++) for (let c = 0; c < m; c++) out[c * n + r] = y[r * m + c]!;
    },
    linear(x, weight, bias, y, n, inDim, outDim, accumulate = false) {
      if (wT.length < inDim * outDim) wT = f32(inDim * outDim);
      api.transpose(weight, wT, outDim, inDim);
      let target = y;
      if (accumulate) {
        if (tmp.length < n * outDim) tmp = f32(Math.max(n * outDim, 2 * tmp.length));
        target = tmp;
      }
      api.matmul(x, wT, target, n, inDim, outDim);
      for (let r = 0; r < n; r++) {
        const o = r * outDim;
        if (accumulate) for (let c = 0; c < outDim; c++) y[o + c] = y[o + c]! + target[o + c]! + (bias ? bias[c]! : 0);
        else if (bias) for (let c = 0; c < outDim; c++) y[o + c] = y[o + c]! + bias[c]!;
      }
    },
    matmul(a, x, y, n, k, m) {
      for (const [name, v] of [['n', n], ['k', k], ['m', m]] as const) {
        if (!Number.isInteger(v) || v < 0) throw new DtlError('INVALID_ARGUMENT', `matmul: ${name} must be an integer ≥ 0, got ${v}`);
      }
      if (a.length < n * k || x.length < k * m || y.length < n * m) {
        throw new DtlError('INVALID_ARGUMENT', `matmul: operands hold ${a.length}, ${x.length}, ${y.length} values, need ${n}×${k}, ${k}×${m}, ${n}×${m}`);
      }
      if (n === 0 || m === 0) return;
      if (k === 0) {
        y.fill(0, 0, n * m);
        return;
      }
      const idx = index(n, k);
      const csr: WeightedCsr = { nRows: n, nCols: k, indptr: idx.indptr, indices: idx.indices, values: a };
      wasmSpmmRows(csr, x, y, m, 0, n);
    },
  };
  return api;
}
