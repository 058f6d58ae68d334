/**
 * Walker's alias method (Vose's stable construction, "A linear algorithm for generating random
 * numbers with a given distribution", IEEE TSE 1991): O(n) build, O(1) draw.
 */
export interface AliasTable {
  readonly n: number;
  readonly prob: Float64Array;
  readonly alias: Int32Array;
}

/** Builds the table from non-negative weights with a positive sum. */
export function buildAliasTable(weights: Float64Array, total: number): AliasTable {
  const n = weights.length;
  const prob = new Float64Array(n);
  const alias = new Int32Array(n);
  const scaled = new Float64Array(n);
  const small = new Int32Array(n);
  const large = new Int32Array(n);
  let ns = 0;
  let nl = 0;
  for (let i = 0; i < n; i++) {
    scaled[i] = (weights[i]! * n) / total;
    if (scaled[i]! < 1) small[ns++] = i;
    else large[nl++] = i;
  }
  while (ns > 0 && nl > 0) {
    const s = small[--ns]!;
    const g = large[--nl]!;
    prob[s] = scaled[s]!;
    alias[s] = g;
    scaled[g] = scaled[g]! + scaled[s]! - 1;
    if (scaled[g]! < 1) small[ns++] = g;
    else large[nl++] = g;
  }
  while (nl > 0) {
    const g = large[--nl]!;
    prob[g] = 1;
    alias[g] = g;
  }
  while (ns > 0) {
    const s = small[--ns]!;
    prob[s] = 1;
    alias[s] = s;
  }
  return { n, prob, alias };
}
