import type { WeightedCsr } from '@dtl/core';
import { spmmRowsKernel } from './internal/spmm-rows.ts';

/**
 * Y = A·X for a row-major dense X with `dim` columns, in JS on the calling thread (the reference
 * kernel; `createCompute` picks WebAssembly SIMD and threads for training). The generated row
 * kernel and its rationale: `internal/spmm-rows.ts`. Y is overwritten; X and Y must not alias.
 */
export function spmm(a: WeightedCsr, x: Float32Array, y: Float32Array, dim: number): void {
  spmmRowsKernel(dim)(a.indptr, a.indices, a.values, x, y, 0, a.nRows);
}

