import type { WeightedCsr } from '@dtl/core';

/**
 * The JS row kernels behind every sparse × dense product (internal: `spmm` in `../spmm.ts` and
 * `createCompute` in `../compute.ts` are the public entry points): Y = A·X for row-major dense
 * matrices with `dim` columns.
 *
 * Why code generation: JavaScript has no SIMD, and accumulating into a Float32Array row costs a
 * store and a float32 rounding per multiply-add. Keeping the accumulators in local variables lets
 * V8 hold them in registers. Measured on this machine (325k nnz × 64, one thread): a Float64Array
 * accumulator row 39 ms, direct row updates 42 ms, 64 locals 25 ms, 16 locals 21 ms, **8 locals
 * 17 ms** (V8 spills beyond ~8–12 live doubles). So the row is processed in chunks of 8 columns,
 * re-reading the row's neighbour list once per chunk (it stays in L1).
 */
export type SpmmRowsFn = (
  indptr: Int32Array,
  indices: Int32Array,
  values: Float32Array,
  x: Float32Array,
  y: Float32Array,
  rowStart: number,
  rowEnd: number,
) => void;

const CHUNK = 8;
const cache = new Map<number, SpmmRowsFn>();

/** Source of the generated row-range kernel for `dim` (also shipped to worker threads). */
export function spmmRowsSource(dim: number): string {
  let body = '';
  for (let c0 = 0; c0 < dim; c0 += CHUNK) {
    const cs = Math.min(CHUNK, dim - c0);
    body += '{';
    for (let d = 0; d < cs; d++) body += `let a${d}=0;`;
    body += `for(let k=p0;k<p1;k++){const v=values[k],o=indices[k]*${dim}+${c0};`;
    for (let d = 0; d < cs; d++) body += `a${d}+=v*x[o+${d}];`;
    body += '}';
    for (let d = 0; d < cs; d++) body += `y[yo+${c0 + d}]=a${d};`;
    body += '}';
  }
  return `for(let r=rowStart;r<rowEnd;r++){const p0=indptr[r],p1=indptr[r+1],yo=r*${dim};${body}}`;
}

/** The generated kernel computing rows [rowStart, rowEnd) of Y = A·X, cached per dim. */
export function spmmRowsKernel(dim: number): SpmmRowsFn {
  if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`spmmRowsKernel: dim must be a positive integer, got ${dim}`);
  let fn = cache.get(dim);
  if (!fn) {
    fn = new Function('indptr', 'indices', 'values', 'x', 'y', 'rowStart', 'rowEnd', spmmRowsSource(dim)) as SpmmRowsFn;
    cache.set(dim, fn);
  }
  return fn;
}

/**
 * Y += Aᵀ·X restricted to the given rows of X (all other rows of X taken as zero): for each listed
 * row c, every stored A[c, r] adds A[c, r]·X[c] to Y[r]. For a symmetric A this is A·X with a sparse
 * X, costing Σ deg(c) over the listed rows instead of nnz(A) — the first backward product of
 * LightGCN, whose gradient touches only the batch's rows.
 */
export function spmmScatterRows(a: WeightedCsr, x: Float32Array, rows: Int32Array, rowCount: number, y: Float32Array, dim: number): void {
  const { indptr, indices, values } = a;
  for (let t = 0; t < rowCount; t++) {
    const c = rows[t]!;
    const xo = c * dim;
    for (let k = indptr[c]!; k < indptr[c + 1]!; k++) {
      const v = values[k]!;
      const yo = indices[k]! * dim;
      for (let d = 0; d < dim; d++) y[yo + d]! += v * x[xo + d]!;
    }
  }
}
