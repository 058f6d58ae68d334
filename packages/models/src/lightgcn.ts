import type { Csr } from '@dtl/core';
import { EmbeddingModel } from './embedding-model.ts';
import type { EmbeddingModelOptions, SpmmFn } from './embedding-model.ts';

export interface LightGcnOptions extends EmbeddingModelOptions {
  /** The binary user × item train matrix (observed, or the enhanced positive set) the graph is built from. */
  readonly train: Csr;
  /** Propagation layers L, default 3. */
  readonly layers?: number;
  /** Sparse × dense product to use, e.g. a worker-pool version; default single-threaded. */
  readonly spmm?: SpmmFn;
}

/**
 * LightGCN (He et al., SIGIR 2020): E^(l) = Â·E^(l−1) over the symmetric-normalized bipartite
 * graph, final embedding = mean of layers 0..L, no feature transforms or non-linearities.
 */
export function createLightGcnModel(options: LightGcnOptions): EmbeddingModel {
  return new EmbeddingModel({ ...options, name: 'lightgcn', layers: options.layers ?? 3 });
}
