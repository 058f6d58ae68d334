/**
 * Ranking metrics at K for one user, binary relevance — the definitions used by the LightGCN /
 * NGCF evaluation code (He et al., SIGIR 2020; Wang et al., SIGIR 2019) and the DTL-NS authors':
 * - recall@K    = hits@K / |relevant|
 * - precision@K = hits@K / K   (K as asked, even when fewer than K items could be ranked)
 * - ndcg@K      = DCG@K / IDCG@K, DCG = Σ_{rank r ≤ K, hit} 1 / log2(r + 1),
 *                 IDCG = Σ_{r = 1}^{min(|relevant|, K)} 1 / log2(r + 1)
 * - hit@K       = 1 if hits@K > 0 else 0
 * - mrr@K       = 1 / (rank of the first hit) if it is ≤ K, else 0
 * `|relevant|` counts every distinct relevant item, including items the ranking could never return
 * (masked as training items): they stay in the denominators, as in the field's code.
 *
 * Pure and allocation-free in the hot path so the evaluator can call it per user.
 */

/** Metric names, in the order they are stored. */
export const METRIC_NAMES = ['recall', 'ndcg', 'precision', 'hit', 'mrr'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Default cutoffs: 5, 10, 20, 30, 50. */
export const DEFAULT_KS: readonly number[] = [5, 10, 20, 30, 50];

/** `discounts[r] = 1 / log2(r + 2)`: the gain of 0-based rank r. */
export function rankDiscounts(maxK: number): Float64Array {
  const out = new Float64Array(maxK);
  for (let r = 0; r < maxK; r++) out[r] = 1 / Math.log2(r + 2);
  return out;
}

/**
 * Adds one user's metrics into `out[outOffset + ki * 5 + m]` (ki = index into `ks`, m = index into
 * {@link METRIC_NAMES}); does nothing when the user has no relevant item.
 *
 * - `ranked[rankedOffset .. rankedOffset + maxK)`: item ids best first, -1 = no item.
 * - `relevant`: the user's relevant items (any order; duplicates count once).
 * - `stamp`: scratch of length nItems whose entries are never equal to `stampValue` on entry
 *   (use a fresh value per user, e.g. user position + 1).
 * Returns the number of distinct relevant items.
 */
export function accumulateUserMetrics(
  ranked: Int32Array,
  rankedOffset: number,
  maxK: number,
  relevant: Int32Array,
  ks: readonly number[],
  discounts: Float64Array,
  stamp: Int32Array,
  stampValue: number,
  out: Float64Array,
  outOffset: number,
): number {
  let nRel = 0;
  for (let p = 0; p < relevant.length; p++) {
    const item = relevant[p]!;
    if (item < 0 || item >= stamp.length || stamp[item] === stampValue) continue;
    stamp[item] = stampValue;
    nRel++;
  }
  if (nRel === 0) return 0;
  for (let ki = 0; ki < ks.length; ki++) {
    const k = ks[ki]!;
    const limit = Math.min(k, maxK);
    let hits = 0;
    let dcg = 0;
    let firstHit = -1;
    for (let r = 0; r < limit; r++) {
      const item = ranked[rankedOffset + r]!;
      if (item >= 0 && stamp[item] === stampValue) {
        hits++;
        dcg += discounts[r]!;
        if (firstHit < 0) firstHit = r;
      }
    }
    let idcg = 0;
    const ideal = Math.min(nRel, k);
    for (let r = 0; r < ideal; r++) idcg += r < discounts.length ? discounts[r]! : 1 / Math.log2(r + 2);
    const o = outOffset + ki * METRIC_NAMES.length;
    out[o] = out[o]! + hits / nRel;
    out[o + 1] = out[o + 1]! + dcg / idcg;
    out[o + 2] = out[o + 2]! + hits / k;
    out[o + 3] = out[o + 3]! + (hits > 0 ? 1 : 0);
    out[o + 4] = out[o + 4]! + (firstHit >= 0 ? 1 / (firstHit + 1) : 0);
  }
  return nRel;
}

/**
 * One user's metrics as a record (`recall@20`, `ndcg@20`, …), or null when `relevant` is empty.
 * Convenience over {@link accumulateUserMetrics} for tests and small inputs.
 */
export function userMetrics(
  ranked: ArrayLike<number>,
  relevant: ArrayLike<number>,
  ks: readonly number[] = DEFAULT_KS,
): Record<string, number> | null {
  let nItems = 1;
  for (let i = 0; i < ranked.length; i++) nItems = Math.max(nItems, ranked[i]! + 1);
  for (let i = 0; i < relevant.length; i++) nItems = Math.max(nItems, relevant[i]! + 1);
  const out = new Float64Array(ks.length * METRIC_NAMES.length);
  const maxK = ranked.length;
  const n = accumulateUserMetrics(
    Int32Array.from(ranked), 0, maxK, Int32Array.from(relevant), ks,
    rankDiscounts(Math.max(1, maxK)), new Int32Array(nItems), 1, out, 0,
  );
  return n === 0 ? null : metricRecord(out, ks, 1);
}

/** `{ "recall@5": sums[0] / count, … }`, k-major: every metric at the first K, then the next K. */
export function metricRecord(sums: Float64Array, ks: readonly number[], count: number): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (let ki = 0; ki < ks.length; ki++) {
    for (let m = 0; m < METRIC_NAMES.length; m++) {
      metrics[`${METRIC_NAMES[m]}@${ks[ki]}`] = count > 0 ? sums[ki * METRIC_NAMES.length + m]! / count : 0;
    }
  }
  return metrics;
}
