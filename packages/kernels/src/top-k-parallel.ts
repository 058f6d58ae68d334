import { validateTopKParams, resolveBackend, type TopKMaskedParams, type TopKResult } from './top-k-masked.ts';
import { allocSharedFloat32, allocSharedInt32, toSharedFloat32, toSharedInt32 } from './shared.ts';
import type { WorkerPool } from './worker-pool.ts';

/** Extra options of {@link topKMaskedParallel}. */
export interface TopKParallelOptions {
  /** Number of user chunks; default `4 × pool.size` (at least 64 users each). More chunks balance load on a busy machine. */
  readonly chunks?: number | undefined;
  /** Called after each chunk with the number of users done. */
  readonly onChunk?: ((usersDone: number, usersTotal: number) => void) | undefined;
}

/**
 * {@link topKMasked} split by users across a worker pool. Inputs are copied once into
 * SharedArrayBuffers (unless already shared); each worker writes its rows of the shared output.
 * The result is identical to `topKMasked` with the same backend: each user's row is computed by the
 * same deterministic kernel whichever thread runs it.
 */
export async function topKMaskedParallel(
  pool: WorkerPool,
  params: TopKMaskedParams,
  options: TopKParallelOptions = {},
): Promise<TopKResult> {
  const { nItems } = validateTopKParams(params, 'topKMaskedParallel');
  const { k } = params;
  const n = params.userIds.length;
  const backend = resolveBackend(params.backend);
  const users = toSharedFloat32(params.users);
  const items = toSharedFloat32(params.items);
  const userIds = toSharedInt32(params.userIds);
  const maskIndptr = params.mask ? toSharedInt32(params.mask.indptr) : undefined;
  const maskIndices = params.mask ? toSharedInt32(params.mask.indices) : undefined;
  const excludeIndptr = params.exclude ? toSharedInt32(params.exclude.indptr) : undefined;
  const excludeIndices = params.exclude ? toSharedInt32(params.exclude.indices) : undefined;
  const outItems = allocSharedInt32(n * k);
  const outScores = allocSharedFloat32(n * k);
  const chunks = Math.max(1, Math.min(options.chunks ?? pool.size * 4, Math.ceil(n / 64)));
  const per = Math.ceil(n / chunks);
  let done = 0;
  const jobs: Array<Promise<void>> = [];
  for (let start = 0; start < n; start += per) {
    const end = Math.min(n, start + per);
    jobs.push(
      pool
        .run('topKRange', {
          users, items, dim: params.dim, nItems, userIds, start, end, k,
          maskIndptr, maskIndices, excludeIndptr, excludeIndices, outItems, outScores, backend,
        })
        .then(() => {
          done += end - start;
          options.onChunk?.(done, n);
        }),
    );
  }
  await Promise.all(jobs);
  return { k, items: outItems, scores: outScores };
}
