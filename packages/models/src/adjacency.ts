import type { Csr, WeightedCsr } from '@dtl/core';

/**
 * The symmetric-normalized bipartite adjacency of LightGCN (He et al., SIGIR 2020, eq. 7):
 * Â = D^-1/2 A D^-1/2 over nUsers + nItems nodes (users first, then items), A = [[0, R], [Rᵀ, 0]]
 * with R the binary train matrix. Nodes without interactions get degree 1 (their rows are empty),
 * the usual guard against division by zero.
 */
export function normalizedBipartiteAdjacency(train: Csr): WeightedCsr {
  const nU = train.nRows;
  const nI = train.nCols;
  const n = nU + nI;
  const nnz = train.indptr[nU]!;
  const deg = new Int32Array(n);
  for (let u = 0; u < nU; u++) deg[u] = train.indptr[u + 1]! - train.indptr[u]!;
  for (let k = 0; k < nnz; k++) deg[nU + train.indices[k]!]!++;
  const indptr = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) indptr[r + 1] = indptr[r]! + deg[r]!;
  const indices = new Int32Array(shared(Int32Array.BYTES_PER_ELEMENT * 2 * nnz));
  const values = new Float32Array(shared(Float32Array.BYTES_PER_ELEMENT * 2 * nnz));
  const fill = indptr.slice(0, n);
  const invSqrt = new Float64Array(n);
  for (let r = 0; r < n; r++) invSqrt[r] = 1 / Math.sqrt(Math.max(1, deg[r]!));
  for (let u = 0; u < nU; u++) {
    for (let k = train.indptr[u]!; k < train.indptr[u + 1]!; k++) {
      const i = nU + train.indices[k]!;
      const w = invSqrt[u]! * invSqrt[i]!;
      indices[fill[u]!] = i;
      values[fill[u]!++] = w;
      indices[fill[i]!] = u;
      values[fill[i]!++] = w;
    }
  }
  const sharedIndptr = new Int32Array(shared(Int32Array.BYTES_PER_ELEMENT * (n + 1)));
  sharedIndptr.set(indptr);
  return { nRows: n, nCols: n, indptr: sharedIndptr, indices, values };
}

function shared(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(bytes, 4));
}
