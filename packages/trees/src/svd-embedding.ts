import { DtlError } from '@dtl/core';
import type { Csr, DenseMatrix, ProgressFn, Rng } from '@dtl/core';
import { topEigenpairs } from './lanczos.ts';

/** Options of {@link svdItemEmbedding}. */
export interface SvdItemEmbeddingOptions {
  /** Embedding dimension (singular triplets kept). Default 64. */
  readonly dim?: number;
  /** Lanczos tolerance. Default 1e-6. */
  readonly tol?: number;
}

/**
 * A training-free item embedding: the truncated SVD of the degree-normalized train matrix
 * M̃ = D_u^-1/2 M D_i^-1/2 (the normalized adjacency LightGCN propagates over; He et al., SIGIR 2020,
 * eq. 3), item vectors = right singular vectors × singular values. The right singular vectors are
 * the top eigenvectors of M̃ᵀM̃ (spectrum in [0, 1]), found with {@link topEigenpairs}.
 * Meant as a stand-in for trained item embeddings when building the semantic tree before a model
 * exists — it carries collaborative signal only, so an `se` tree over it is not "semantic".
 */
export function svdItemEmbedding(train: Csr, rng: Rng, options: SvdItemEmbeddingOptions = {}, onProgress?: ProgressFn): DenseMatrix & { singularValues: Float64Array } {
  const dim = options.dim ?? 64;
  const nU = train.nRows;
  const nI = train.nCols;
  if (!Number.isInteger(dim) || dim < 1 || dim >= nI) throw new DtlError('INVALID_ARGUMENT', `svdItemEmbedding: dim ${dim} must be in 1..${nI - 1}`);
  const du = new Float64Array(nU);
  const di = new Float64Array(nI);
  for (let u = 0; u < nU; u++) {
    du[u] = train.indptr[u + 1]! - train.indptr[u]!;
    for (let k = train.indptr[u]!; k < train.indptr[u + 1]!; k++) di[train.indices[k]!]!++;
  }
  const su = du.map((d) => (d > 0 ? 1 / Math.sqrt(d) : 0));
  const si = di.map((d) => (d > 0 ? 1 / Math.sqrt(d) : 0));
  const tmp = new Float64Array(nU);
  const apply = (x: Float64Array, y: Float64Array): void => {
    // y = M̃ᵀ (M̃ x), one pass over the CSR rows.
    y.fill(0);
    for (let u = 0; u < nU; u++) {
      let s = 0;
      const end = train.indptr[u + 1]!;
      for (let k = train.indptr[u]!; k < end; k++) {
        const i = train.indices[k]!;
        s += si[i]! * x[i]!;
      }
      tmp[u] = s * su[u]! * su[u]!;
      const t = tmp[u]!;
      if (t === 0) continue;
      for (let k = train.indptr[u]!; k < end; k++) {
        const i = train.indices[k]!;
        y[i]! += t * si[i]!;
      }
    }
  };
  const eig = topEigenpairs(apply, nI, { k: dim, tol: options.tol ?? 1e-6 }, rng, onProgress);
  const data = new Float32Array(nI * dim);
  const singularValues = new Float64Array(dim);
  for (let c = 0; c < dim; c++) {
    const sigma = Math.sqrt(Math.max(eig.values[c]!, 0));
    singularValues[c] = sigma;
    const v = eig.vectors[c]!;
    for (let i = 0; i < nI; i++) data[i * dim + c] = v[i]! * sigma;
  }
  return { rows: nI, dim, data, singularValues };
}
