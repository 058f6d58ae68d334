import { DtlError } from '@dtl/core';
import type { Csr, DenseMatrix, ProgressFn, Rng } from '@dtl/core';
import { buildItemGraph, connectedComponents } from './item-graph.ts';
import type { ItemGraph } from './item-graph.ts';
import { topEigenpairs } from './lanczos.ts';

/** Options of {@link spectralEmbedding}. */
export interface SpectralEmbeddingOptions {
  /** Embedding dimension d: eigenvectors kept after the trivial one. Default 32. */
  readonly dim?: number;
  /** Lanczos convergence tolerance on ‖Av − θv‖. Default 1e-7 (the benchmark target is 1e-4). */
  readonly tol?: number;
  /** Lanczos basis size. Default `max(2·(dim+1) + 16, 40)`. */
  readonly basis?: number;
  /** Maximum thick restarts. Default 500. */
  readonly maxRestarts?: number;
}

/** A spectral embedding and its diagnostics. */
export interface SpectralEmbedding {
  /** nItems × dim, row i = item i. Isolated items get the zero row. */
  readonly vectors: DenseMatrix;
  /** Eigenvalues λ of the normalized Laplacian L for each column (ascending). */
  readonly eigenvalues: Float64Array;
  /** ‖Lv − λv‖ of each column (unit v). */
  readonly residuals: Float64Array;
  /** Connected components among non-isolated items, and the number of isolated items. */
  readonly components: number;
  readonly isolated: number;
  readonly matvecs: number;
  readonly restarts: number;
  readonly converged: boolean;
}

/**
 * Spectral embedding of the item co-occurrence graph (method.md §2; von Luxburg, "A tutorial on
 * spectral clustering", Stat. Comput. 17, 2007, §3 — the L_sym embedding of Ng, Jordan & Weiss).
 *
 * L = I − D^-1/2 W D^-1/2 with W the Jaccard graph ({@link buildItemGraph}); zero-degree (isolated)
 * items get D^-1/2 = 0, so their rows of L are rows of I (eigenvalue 1): they never enter the smallest
 * eigenvectors and receive the zero embedding. The smallest eigenvalues of L are the largest of
 * A = D^-1/2 W D^-1/2 = I − L, which thick-restart Lanczos ({@link topEigenpairs}) finds directly.
 *
 * Components: each of the c connected components (of ≥ 2 items) contributes an exact eigenvalue
 * 0 of L with eigenvector D^1/2·1_C (normalized). These are known, so they are deflated from the
 * iteration (a single-vector Krylov method would see only one copy of the repeated eigenvalue).
 * The largest component's vector is "the trivial one" and dropped; the other c − 1 are the first
 * embedding columns (λ = 0, they separate the components), followed by the dim − (c − 1) smallest
 * non-trivial eigenvectors. With c − 1 ≥ dim, only the dim largest components' vectors are used.
 */
export function spectralEmbedding(
  input: Csr | ItemGraph,
  rng: Rng,
  options: SpectralEmbeddingOptions = {},
  onProgress?: ProgressFn,
): SpectralEmbedding {
  const graph = 'values' in input ? input : buildItemGraph(input);
  const n = graph.nRows;
  const dim = options.dim ?? 32;
  if (!Number.isInteger(dim) || dim < 1) throw new DtlError('INVALID_ARGUMENT', `spectralEmbedding: dim ${dim} must be a positive integer`);

  // Weighted degrees and D^-1/2 (guarded).
  const invSqrt = new Float64Array(n);
  const sqrtDeg = new Float64Array(n);
  const isolatedMask = new Uint8Array(n);
  let isolated = 0;
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let k = graph.indptr[i]!; k < graph.indptr[i + 1]!; k++) d += graph.values[k]!;
    if (d > 0) {
      sqrtDeg[i] = Math.sqrt(d);
      invSqrt[i] = 1 / sqrtDeg[i]!;
    } else {
      isolatedMask[i] = 1;
      isolated++;
    }
  }
  // Normalized adjacency values, precomputed once: A_ij = W_ij / sqrt(d_i d_j).
  const aValues = new Float64Array(graph.values.length);
  for (let i = 0; i < n; i++) {
    for (let k = graph.indptr[i]!; k < graph.indptr[i + 1]!; k++) {
      aValues[k] = graph.values[k]! * invSqrt[i]! * invSqrt[graph.indices[k]!]!;
    }
  }
  const { indptr, indices } = graph;
  const apply = (x: Float64Array, y: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      const end = indptr[i + 1]!;
      for (let k = indptr[i]!; k < end; k++) s += aValues[k]! * x[indices[k]!]!;
      y[i] = s;
    }
  };

  // Trivial eigenvectors D^1/2·1_C of each non-isolated component, largest component first.
  const cc = connectedComponents(graph);
  const comps: number[] = [];
  for (let c = 0; c < cc.count; c++) if (cc.sizes[c]! >= 2) comps.push(c);
  comps.sort((a, b) => cc.sizes[b]! - cc.sizes[a]! || a - b);
  const trivial: Float64Array[] = comps.map((c) => {
    const v = new Float64Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (cc.labels[i] === c) {
        v[i] = sqrtDeg[i]!;
        s += v[i]! * v[i]!;
      }
    }
    const nv = Math.sqrt(s);
    for (let i = 0; i < n; i++) v[i]! /= nv;
    return v;
  });
  const nComponentCols = Math.min(Math.max(comps.length - 1, 0), dim);
  const nEig = Math.min(dim - nComponentCols, Math.max(n - isolated - comps.length, 0));

  const columns: Float64Array[] = trivial.slice(1, 1 + nComponentCols);
  const eigenvalues: number[] = columns.map(() => 0);
  const residuals: number[] = [];
  const scratch = new Float64Array(n);
  for (const v of columns) {
    apply(v, scratch);
    let r = 0;
    for (let i = 0; i < n; i++) r += (scratch[i]! - v[i]!) ** 2;
    residuals.push(Math.sqrt(r));
  }
  let matvecs = columns.length;
  let restarts = 0;
  let converged = true;
  if (nEig > 0) {
    const eig = topEigenpairs(
      apply,
      n,
      {
        k: nEig,
        tol: options.tol ?? 1e-7,
        basis: options.basis,
        maxRestarts: options.maxRestarts,
        deflate: trivial,
        zeroMask: isolatedMask,
      },
      rng,
      onProgress,
    );
    for (let i = 0; i < nEig; i++) {
      columns.push(eig.vectors[i]!);
      eigenvalues.push(1 - eig.values[i]!);
      residuals.push(eig.residuals[i]!); // ‖Lv − λv‖ = ‖Av − θv‖ for λ = 1 − θ
    }
    matvecs += eig.matvecs;
    restarts = eig.restarts;
    converged = eig.converged;
  }
  const width = columns.length;
  const data = new Float32Array(n * width);
  for (let c = 0; c < width; c++) {
    const v = columns[c]!;
    for (let i = 0; i < n; i++) data[i * width + c] = v[i]!;
  }
  return {
    vectors: { rows: n, dim: width, data },
    eigenvalues: Float64Array.from(eigenvalues),
    residuals: Float64Array.from(residuals),
    components: comps.length,
    isolated,
    matvecs,
    restarts,
    converged,
  };
}
