import { DtlError, type Csr } from '@dtl/core';

/** The most popular items of a training set, for users the model knows nothing about. */
export interface PopularItems {
  /** Item indices by training count descending, ties by lower index; at most `k`. */
  readonly items: Int32Array;
  /** Their training counts (the score of a popularity fallback). */
  readonly counts: Int32Array;
}

/** The `k` items with the most training interactions in `train` (ties: lower item index first). */
export function recommendPopular(train: Csr, k: number): PopularItems {
  if (!Number.isInteger(k) || k < 1) throw new DtlError('INVALID_ARGUMENT', `recommendPopular: k must be a positive integer, got ${k}`);
  const degree = new Int32Array(train.nCols);
  for (let e = 0; e < train.indptr[train.nRows]!; e++) degree[train.indices[e]!]!++;
  const order = Array.from({ length: train.nCols }, (_, i) => i).sort((a, b) => degree[b]! - degree[a]! || a - b);
  const items = Int32Array.from(order.slice(0, k));
  return { items, counts: Int32Array.from(items, (i) => degree[i]!) };
}
