import { DtlError, type Csr, type DenseMatrix, type ProgressFn } from '@dtl/core';
import type { TopKBackend, WorkerPool } from '@dtl/kernels';
import { checkEmbeddings, checkWorkers, rankOnPool } from './internal/rank-embeddings.ts';

/** Defaults of {@link recommendTopK}. */
export const RECOMMEND_DEFAULTS = { k: 20, workers: 1, backend: 'auto' } as const;

/** Options of {@link recommendTopK}. */
export interface RecommendTopKOptions {
  /** User embeddings (`nUsers × dim`); score = dot product with `items`. */
  readonly users: DenseMatrix;
  readonly items: DenseMatrix;
  /** Users × items never recommended, normally the training interactions. Default: none. */
  readonly mask?: Csr | undefined;
  /** Which users (dense indices); default every user row. */
  readonly userIds?: Int32Array | undefined;
  /** Items per user; default 20. */
  readonly k?: number | undefined;
  /** Pool to rank on; not closed here. */
  readonly pool?: WorkerPool | undefined;
  /** Without `pool`: worker threads to start for this call (closed at the end); default 1 = this thread. */
  readonly workers?: number | undefined;
  /** Dot-product backend; default `auto` (WebAssembly SIMD when available). */
  readonly backend?: TopKBackend | undefined;
  readonly onProgress?: ProgressFn | undefined;
}

/** Output of {@link recommendTopK}: row j (`k` entries) holds the recommendations of `userIds[j]`. */
export interface Recommendations {
  readonly k: number;
  readonly userIds: Int32Array;
  /** `userIds.length × k` item indices, best first; -1 where fewer than k unmasked items exist. */
  readonly items: Int32Array;
  /** The matching float32 scores; -Infinity for padding. */
  readonly scores: Float32Array;
}

/**
 * Top-K recommendations from embeddings: every unmasked item is scored for each user and the best
 * `k` kept — the masked top-K kernel {@link evaluateRanking} ranks with, so the lists are exactly the
 * ones evaluation scores (ties: lower item index first) and the pool path returns the same rows as
 * the single-thread path.
 */
export async function recommendTopK(options: RecommendTopKOptions): Promise<Recommendations> {
  const { users, items, mask } = options;
  const k = options.k ?? RECOMMEND_DEFAULTS.k;
  if (!Number.isInteger(k) || k < 1) throw new DtlError('INVALID_ARGUMENT', `recommendTopK: k must be a positive integer, got ${k}`);
  checkEmbeddings('recommendTopK', users, items);
  if (mask && (mask.nCols !== items.rows || mask.nRows !== users.rows)) {
    throw new DtlError('INVALID_ARGUMENT', `recommendTopK: mask is ${mask.nRows}×${mask.nCols} but the embeddings are ${users.rows} users × ${items.rows} items`);
  }
  const userIds = options.userIds ?? Int32Array.from({ length: users.rows }, (_, u) => u);
  for (const u of userIds) {
    if (!(u >= 0 && u < users.rows)) throw new DtlError('INVALID_ARGUMENT', `recommendTopK: user ${u} outside 0..${users.rows - 1}`);
  }
  const workers = checkWorkers('recommendTopK', options.workers ?? RECOMMEND_DEFAULTS.workers);
  const total = userIds.length;
  options.onProgress?.({ stage: 'recommend', done: 0, total });
  const params = { users: users.data, items: items.data, dim: users.dim, userIds, k, mask, backend: options.backend };
  if (total === 0) return { k, userIds, items: new Int32Array(0), scores: new Float32Array(0) };
  const top = await rankOnPool(params, options.pool, workers, (done) => options.onProgress?.({ stage: 'recommend', done, total }));
  options.onProgress?.({ stage: 'recommend', done: total, total });
  return { k, userIds, items: top.items, scores: top.scores };
}
