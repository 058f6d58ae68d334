import type { Codebook } from '@dtl/core';

/** Shape of a tree as seen through its codes. */
export interface CodebookStats {
  readonly nItems: number;
  /** Code lengths (root→leaf depth). */
  readonly depthMin: number;
  readonly depthMax: number;
  readonly depthMean: number;
  /** Distinct codes = leaves that hold at least one item. */
  readonly leaves: number;
  /** Items per distinct code. */
  readonly leafSizeMin: number;
  readonly leafSizeMedian: number;
  readonly leafSizeMax: number;
}

/**
 * Tree statistics from a codebook (works for the authors' code files too, where no tree object
 * exists): depth min/max/mean, number of leaves (= distinct paths), leaf size min/median/max.
 */
export function codebookStats(codebook: Codebook): CodebookStats {
  const n = codebook.nItems;
  const counts = new Map<string, number>();
  let dMin = Infinity;
  let dMax = 0;
  let dSum = 0;
  for (let i = 0; i < n; i++) {
    const s = codebook.offsets[i]!;
    const e = codebook.offsets[i + 1]!;
    const len = e - s;
    dMin = Math.min(dMin, len);
    dMax = Math.max(dMax, len);
    dSum += len;
    const key = codebook.paths.subarray(s, e).join('-');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const sizes = Array.from(counts.values()).sort((a, b) => a - b);
  const mid = sizes.length >> 1;
  const median = sizes.length === 0 ? 0 : sizes.length % 2 ? sizes[mid]! : (sizes[mid - 1]! + sizes[mid]!) / 2;
  return {
    nItems: n,
    depthMin: n ? dMin : 0,
    depthMax: dMax,
    depthMean: n ? dSum / n : 0,
    leaves: sizes.length,
    leafSizeMin: sizes[0] ?? 0,
    leafSizeMedian: median,
    leafSizeMax: sizes[sizes.length - 1] ?? 0,
  };
}
