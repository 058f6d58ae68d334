import { DtlError, type Csr } from '@dtl/core';
import { topKRange, wasmAvailable, type ScoreBackend } from './internal/top-k-kernel.ts';

/** Which scorer computes the dot products; `auto` (default) is `wasm` where WebAssembly SIMD works, else `js`. */
export type TopKBackend = 'auto' | ScoreBackend;

/** Input of {@link topKMasked}. */
export interface TopKMaskedParams {
  /** User embeddings, `nUsers × dim` row-major. */
  readonly users: Float32Array;
  /** Item embeddings, `nItems × dim` row-major. */
  readonly items: Float32Array;
  readonly dim: number;
  /** Which user rows to rank (dense user indices); output row j belongs to `userIds[j]`. */
  readonly userIds: Int32Array;
  /** How many items to return per user (≥ 1). */
  readonly k: number;
  /** Users × items; masked items are never returned (e.g. the training interactions). */
  readonly mask?: Csr | undefined;
  /** A second users × items mask applied like `mask` (e.g. validation items when ranking for test). */
  readonly exclude?: Csr | undefined;
  /** Default `auto`. */
  readonly backend?: TopKBackend | undefined;
}

/** Output of {@link topKMasked}: row j (`k` entries) holds the best items of user `userIds[j]`. */
export interface TopKResult {
  readonly k: number;
  /** `userIds.length × k` item indices, best first; -1 where fewer than k items were available. */
  readonly items: Int32Array;
  /** The matching float32 scores; -Infinity for padding. */
  readonly scores: Float32Array;
}

/** Resolves `auto` to the backend this thread can run. */
export function resolveBackend(backend: TopKBackend | undefined): ScoreBackend {
  if (backend === 'js') return 'js';
  if (backend === 'wasm' && !wasmAvailable()) {
    throw new DtlError('UNSUPPORTED', 'topKMasked: WebAssembly SIMD is not available in this runtime; use backend "js"');
  }
  return wasmAvailable() ? 'wasm' : 'js';
}

/** Validates the shapes shared by {@link topKMasked} and the pool task; returns nUsers and nItems. */
export function validateTopKParams(params: TopKMaskedParams, where = 'topKMasked'): { nUsers: number; nItems: number } {
  const { users, items, dim, userIds, k, mask, exclude } = params;
  if (!Number.isInteger(dim) || dim < 1) throw new DtlError('INVALID_ARGUMENT', `${where}: dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(k) || k < 1) throw new DtlError('INVALID_ARGUMENT', `${where}: k must be a positive integer, got ${k}`);
  if (users.length % dim !== 0) throw new DtlError('INVALID_ARGUMENT', `${where}: users.length ${users.length} is not a multiple of dim ${dim}`);
  if (items.length % dim !== 0) throw new DtlError('INVALID_ARGUMENT', `${where}: items.length ${items.length} is not a multiple of dim ${dim}`);
  const nUsers = users.length / dim;
  const nItems = items.length / dim;
  for (let j = 0; j < userIds.length; j++) {
    const u = userIds[j]!;
    if (u < 0 || u >= nUsers) throw new DtlError('INVALID_ARGUMENT', `${where}: userIds[${j}] = ${u} outside 0..${nUsers - 1}`);
  }
  for (const [label, m] of [['mask', mask], ['exclude', exclude]] as const) {
    if (!m) continue;
    if (m.nRows < nUsers || m.nCols !== nItems) {
      throw new DtlError('INVALID_ARGUMENT', `${where}: ${label} is ${m.nRows}×${m.nCols}, expected ${nUsers}×${nItems} (users × items)`);
    }
  }
  return { nUsers, nItems };
}

/**
 * Exact masked top-K by dot product, single thread (synchronous).
 *
 * Rows are sorted by score descending; **ties are broken by the lower item index first**; masked
 * items and non-finite scores below every real score (-Infinity, NaN) are never returned; when fewer
 * than `k` items are available the row is padded with item -1 and score -Infinity.
 * Scores are float32; with the `wasm` backend they are float32 sums in dimension order, with `js`
 * float64 sums rounded once to float32 (so the two can differ in the last bit and order near-ties
 * differently).
 */
export function topKMasked(params: TopKMaskedParams): TopKResult {
  const { nItems } = validateTopKParams(params);
  const { k, userIds } = params;
  const outItems = new Int32Array(userIds.length * k);
  const outScores = new Float32Array(userIds.length * k);
  topKRange({
    users: params.users,
    items: params.items,
    dim: params.dim,
    nItems,
    userIds,
    start: 0,
    end: userIds.length,
    k,
    maskIndptr: params.mask?.indptr,
    maskIndices: params.mask?.indices,
    excludeIndptr: params.exclude?.indptr,
    excludeIndices: params.exclude?.indices,
    outItems,
    outScores,
    backend: resolveBackend(params.backend),
  });
  return { k, items: outItems, scores: outScores };
}
