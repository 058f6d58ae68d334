import { DtlError, type DenseMatrix } from '@dtl/core';
import { createWorkerPool, topKMasked, topKMaskedParallel, type TopKMaskedParams, type TopKResult, type WorkerPool } from '@dtl/kernels';

/**
 * The embedding path shared by {@link evaluateRanking} and {@link recommendTopK}: the same checks and
 * the same masked top-K kernel on this thread or a pool, so evaluation and recommendations rank
 * identically. `where` names the public function in error messages.
 */

/** User and item embeddings of one width, each `rows × dim` long. */
export function checkEmbeddings(where: string, users: DenseMatrix, items: DenseMatrix): void {
  if (users.dim !== items.dim) throw new DtlError('INVALID_ARGUMENT', `${where}: user dim ${users.dim} ≠ item dim ${items.dim}`);
  if (users.data.length !== users.rows * users.dim || items.data.length !== items.rows * items.dim) {
    throw new DtlError('INVALID_ARGUMENT', `${where}: embedding data length does not match rows × dim`);
  }
}

/** The `workers` option (default 1 = this thread), checked. */
export function checkWorkers(where: string, workers: number | undefined): number {
  const n = workers ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new DtlError('INVALID_ARGUMENT', `${where}: workers must be a positive integer, got ${n}`);
  return n;
}

/**
 * Masked top-K of `params` on `pool`, else on a pool of `workers` threads started (and closed) for
 * this call when `workers` > 1, else on this thread; `onChunk` reports users done on the pool path.
 */
export async function rankOnPool(params: TopKMaskedParams, pool: WorkerPool | undefined, workers: number, onChunk: (done: number) => void): Promise<TopKResult> {
  const used = pool ?? (workers > 1 ? createWorkerPool({ size: workers }) : undefined);
  try {
    return used ? await topKMaskedParallel(used, params, { onChunk }) : topKMasked(params);
  } finally {
    if (used && !pool) await used.close();
  }
}
