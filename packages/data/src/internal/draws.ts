import type { Rng } from '@dtl/core';

/**
 * Gamma(shape, 1) deviate. Marsaglia & Tsang, "A simple method for generating gamma variables",
 * ACM TOMS 26(3), 2000; shape < 1 via the boost Gamma(a) = Gamma(a+1)·U^(1/a) (same paper, §6).
 */
export function gamma(shape: number, rng: Rng): number {
  if (shape < 1) {
    let u = 0;
    while (u === 0) u = rng.next();
    return gamma(shape + 1, rng) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A symmetric Dirichlet(α, …, α) draw of length k (normalized gammas). */
export function dirichlet(k: number, alpha: number, rng: Rng): Float64Array {
  const out = new Float64Array(k);
  let sum = 0;
  for (let j = 0; j < k; j++) {
    out[j] = gamma(alpha, rng) + 1e-12;
    sum += out[j]!;
  }
  for (let j = 0; j < k; j++) out[j]! /= sum;
  return out;
}

/** Inclusive prefix sums (cumulative weights) of `weights`. */
export function cumulative(weights: ArrayLike<number>): Float64Array {
  const out = new Float64Array(weights.length);
  let s = 0;
  for (let k = 0; k < weights.length; k++) {
    s += weights[k]!;
    out[k] = s;
  }
  return out;
}

/** Index drawn with probability ∝ weight, given the cumulative weights (binary search). */
export function drawCumulative(cum: Float64Array, rng: Rng): number {
  const target = rng.next() * cum[cum.length - 1]!;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
