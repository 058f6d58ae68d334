import type { Csr, ItemTree, ProgressFn, Rng, TreeBuilder } from '@dtl/core';
import { buildKmeansTree } from './kmeans-tree.ts';
import type { KmeansTreeOptions } from './kmeans-tree.ts';
import { spectralEmbedding } from './spectral-embedding.ts';
import type { SpectralEmbeddingOptions } from './spectral-embedding.ts';

/** Options of {@link createSpectralKmeansBuilder}: the embedding's and the k-means tree's. */
export interface SpectralKmeansOptions extends SpectralEmbeddingOptions, KmeansTreeOptions {}

/**
 * The authors' collaborative-structure tree (method.md §2): spectral embedding of the Jaccard
 * co-occurrence graph of the train interactions, then the balanced recursive k-means tree over it.
 * Defaults: dim 32, tol 1e-7, k 4, leafSize 30, balance 1.6. The tree's `info` carries the
 * eigenvalues, eigen-residuals, component/isolated counts and Lanczos matvecs.
 */
export function createSpectralKmeansBuilder(options: SpectralKmeansOptions = {}): TreeBuilder<Csr> {
  const params = {
    dim: options.dim ?? 32,
    tol: options.tol ?? 1e-7,
    k: options.k ?? 4,
    leafSize: options.leafSize ?? 30,
    balance: options.balance ?? 1.6,
    maxIterations: options.maxIterations ?? 100,
  };
  return {
    name: 'spectral-kmeans',
    params,
    build(train: Csr, rng: Rng, onProgress?: ProgressFn): ItemTree {
      const emb = spectralEmbedding(train, rng.fork('spectral'), { ...options, ...params }, onProgress);
      const tree = buildKmeansTree(emb.vectors, rng.fork('kmeans-tree'), params, onProgress);
      return {
        ...tree,
        info: {
          builder: 'spectral-kmeans',
          ...tree.info,
          eigenvalues: Array.from(emb.eigenvalues),
          residuals: Array.from(emb.residuals),
          maxResidual: emb.residuals.reduce((a, b) => Math.max(a, b), 0),
          components: emb.components,
          isolated: emb.isolated,
          matvecs: emb.matvecs,
          converged: emb.converged,
        },
      };
    },
  };
}
