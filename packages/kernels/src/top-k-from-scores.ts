import { DtlError, type Csr } from '@dtl/core';
import { maskRow, selectTopKRow } from './internal/select-top-k.ts';
import type { TopKResult } from './top-k-masked.ts';

/** Input of {@link topKFromScores}. */
export interface TopKFromScoresParams {
  /** `userIds.length × nItems` row-major scores; masked entries are overwritten with -Infinity. */
  readonly scores: Float32Array;
  readonly nItems: number;
  /** The user of each score row (selects the mask row). */
  readonly userIds: Int32Array;
  readonly k: number;
  readonly mask?: Csr | undefined;
  readonly exclude?: Csr | undefined;
}

/**
 * Masked top-K of precomputed score rows (e.g. from a model's own scorer). Same ordering contract as
 * `topKMasked`: score descending, ties by lower item index, padding -1 / -Infinity.
 */
export function topKFromScores(params: TopKFromScoresParams): TopKResult {
  const { scores, nItems, userIds, k, mask, exclude } = params;
  if (!Number.isInteger(k) || k < 1) throw new DtlError('INVALID_ARGUMENT', `topKFromScores: k must be a positive integer, got ${k}`);
  if (scores.length < userIds.length * nItems) {
    throw new DtlError('INVALID_ARGUMENT', `topKFromScores: scores has ${scores.length} entries, need ${userIds.length}×${nItems}`);
  }
  for (const m of [mask, exclude]) {
    if (m && m.nCols !== nItems) throw new DtlError('INVALID_ARGUMENT', `topKFromScores: mask has ${m.nCols} columns, expected ${nItems}`);
  }
  const items = new Int32Array(userIds.length * k);
  const out = new Float32Array(userIds.length * k);
  const heapS = new Float64Array(k);
  const heapI = new Int32Array(k);
  for (let j = 0; j < userIds.length; j++) {
    const u = userIds[j]!;
    const row = j * nItems;
    for (const m of [mask, exclude]) {
      if (!m) continue;
      if (u < 0 || u >= m.nRows) throw new DtlError('INVALID_ARGUMENT', `topKFromScores: user ${u} outside the mask's ${m.nRows} rows`);
      maskRow(scores, row, nItems, m.indptr, m.indices, u);
    }
    selectTopKRow(scores, row, nItems, k, items, out, j * k, heapS, heapI);
  }
  return { k, items, scores: out };
}
