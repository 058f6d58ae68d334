/**
 * Dense row-major matrix products Y = A·X for the small dense layers some models and samplers need
 * (e.g. DENS's gates: tens of thousands of rows × 64 times 64 × 64), on the register-blocked
 * WebAssembly SIMD GEMM of `internal/wasm-dense-gemm.ts` (≈40 GFLOP/s on one thread here, about
 * twice the CSR SpMM kernel these products used to run on, and 10–25× typed-array JS). Long inner
 * dimensions are split into blocks of X that stay in L2. `linear` folds its bias / accumulation into
 * the kernel's store.
 *
 * Numerics: each output element is the float32 sum over k in order of A[r][k]·X[k][c] (separate mul
 * and add from +0), bit-identical to the earlier implementation (the dense A as a CSR matrix through
 * the wasm SpMM kernel) and to `linear`'s earlier JS epilogue (see the kernel's modes).
 *
 * Operands must live in this object's arena (allocate them with {@link DenseMatmul.buffer}) for the
 * wasm path; otherwise, and where wasm SIMD is unavailable, the JS SpMM kernel computes the product
 * over a dense CSR index (float64 accumulation, as before).
 */
import { DtlError } from '@dtl/core';
import { spmmRowsKernel } from './internal/spmm-rows.ts';
import { tryCreateWasmArena } from './wasm-arena.ts';
import type { WasmArena } from './wasm-arena.ts';
import { denseGemmExports } from './internal/wasm-kernel-module.ts';
import { GEMM_ACCUMULATE, GEMM_BIAS, GEMM_CONTINUE, GEMM_STORE } from './internal/wasm-dense-gemm.ts';
import type { DenseGemmFn } from './internal/wasm-dense-gemm.ts';

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

/**
 * Rows of X per k block: 64K floats (256 KB, L2-resident while every row tile of A passes over it),
 * between 64 and 1024 rows. Measured at n = 64, k = 49152, m = 64: unblocked 23 GFLOP/s, blocks of
 * 256 / 1024 rows 32 / 34.
 */
export function denseKBlock(m: number): number {
  return Math.max(64, Math.min(1024, Math.floor(65536 / m)));
}

/** Rows per transpose block: the 8 source rows stay in L1 while each output row gets 8 consecutive floats. */
const TRANSPOSE_BLOCK = 8;

/** n, k, m are integers ≥ 0 and the operands (`what`) hold n×k, k×m and n×m values. */
function checkShape(who: string, what: string, a: Float32Array, x: Float32Array, y: Float32Array, n: number, k: number, m: number): void {
  for (const [name, v] of [['n', n], ['k', k], ['m', m]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new DtlError('INVALID_ARGUMENT', `${who}: ${name} must be an integer ≥ 0, got ${v}`);
  }
  if (a.length < n * k || x.length < k * m || y.length < n * m) {
    throw new DtlError('INVALID_ARGUMENT', `${who}: ${what} hold ${a.length}, ${x.length}, ${y.length} values, need ${n}×${k}, ${k}×${m}, ${n}×${m}`);
  }
}

/** Whether the first `pLen` floats of p and the first `qLen` of q share memory. */
function overlaps(p: Float32Array, pLen: number, q: Float32Array, qLen: number): boolean {
  return p.buffer === q.buffer && p.byteOffset < q.byteOffset + 4 * qLen && q.byteOffset < p.byteOffset + 4 * pLen;
}

export function createDenseMatmul(options: DenseMatmulOptions = {}): DenseMatmul {
  const arena = options.arena ?? tryCreateWasmArena({ initialBytes: 1 << 24 });
  const f32 = (n: number): Float32Array => (arena ? arena.f32(n) : new Float32Array(n));
  /** The wasm GEMM for rows of m floats when all `views` are in the arena, else null. */
  const gemmFor = (m: number, ...views: Float32Array[]): DenseGemmFn | null => {
    if (!arena || !views.every((v) => arena.owns(v))) return null;
    return denseGemmExports(arena.memory, m)?.gemm ?? null;
  };
  // JS fallback: the dense A as a CSR matrix with every column, one (grown) index per k.
  const byK = new Map<number, DenseIndex>();
  const index = (n: number, k: number): DenseIndex => {
    let idx = byK.get(k);
    if (!idx || idx.rows < n) {
      const rows = Math.max(n, 2 * (idx?.rows ?? 0), 64);
      const indptr = new Int32Array(rows + 1);
      const indices = new Int32Array(rows * k);
      for (let r = 0; r <= rows; r++) indptr[r] = r * k;
      for (let t = 0; t < rows * k; t++) indices[t] = t % k;
      idx = { rows, indptr, indices };
      byK.set(k, idx);
    }
    return idx;
  };
  let wT = f32(0);
  let tmp = f32(0);
  let biasBuf = f32(0);
  const api: DenseMatmul = {
    arena,
    buffer: f32,
    transpose(y, out, n, m) {
      for (let r0 = 0; r0 < n; r0 += TRANSPOSE_BLOCK) {
        const r1 = Math.min(n, r0 + TRANSPOSE_BLOCK);
        for (let c = 0; c < m; c++) {
          const o = c * n;
          for (let r = r0; r < r1; r++) out[o + r] = y[r * m + c]!;
        }
      }
    },
    linear(x, weight, bias, y, n, inDim, outDim, accumulate = false) {
      checkShape('linear', 'x, weight, y', x, weight, y, n, inDim, outDim);
      if (bias && bias.length < outDim) throw new DtlError('INVALID_ARGUMENT', `linear: bias holds ${bias.length} values, need ${outDim}`);
      if (wT.length < inDim * outDim) wT = f32(inDim * outDim);
      api.transpose(weight, wT, outDim, inDim);
      const fused = n > 0 && outDim > 0 && inDim > 0 && inDim <= denseKBlock(outDim) && !overlaps(x, n * inDim, y, n * outDim);
      const gemm = fused ? gemmFor(outDim, x, y) : null;
      if (gemm) {
        let mode = GEMM_STORE;
        if (bias || accumulate) {
          if (biasBuf.length < outDim) biasBuf = f32(Math.max(outDim, 64));
          if (bias) biasBuf.set(bias.subarray(0, outDim));
          else biasBuf.fill(0, 0, outDim); // the JS epilogue adds `+ 0` without a bias
          mode = accumulate ? GEMM_ACCUMULATE : GEMM_BIAS;
        }
        gemm(x.byteOffset, 4 * inDim, wT.byteOffset, y.byteOffset, n, inDim, biasBuf.byteOffset, mode);
        return;
      }
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
      checkShape('matmul', 'operands', a, x, y, n, k, m);
      if (n === 0 || m === 0) return;
      if (k === 0) {
        y.fill(0, 0, n * m);
        return;
      }
      const gemm = gemmFor(m, a, x, y);
      if (gemm) {
        const kc = denseKBlock(m);
        for (let k0 = 0; k0 < k; k0 += kc) {
          gemm(a.byteOffset + 4 * k0, 4 * k, x.byteOffset + 4 * m * k0, y.byteOffset, n, Math.min(kc, k - k0), 0, k0 === 0 ? GEMM_STORE : GEMM_CONTINUE);
        }
        return;
      }
      const idx = index(n, k);
      spmmRowsKernel(m)(idx.indptr, idx.indices, a, x, y, 0, n);
    },
  };
  return api;
}
