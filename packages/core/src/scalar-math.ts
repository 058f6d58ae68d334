/**
 * Scalar math of the BPR and DENS losses (and the DENS sampler's gates), written once. Each function is what the hand-written
 * loops used before (values bit for bit), small enough for the JIT to inline in hot loops.
 */

/**
 * σ(x) = 1 / (1 + e^(−x)) without overflow, one exp per call: with e = exp(−|x|), σ(x) = 1/(1+e) for
 * x ≥ 0 and e/(1+e) for x < 0 (e is exp(x) itself there, so values equal the two-exp form).
 */
export function sigmoid(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/**
 * σ(z) in the direct form 1 / (1 + e^(−z)); saturates to 0 (no NaN) for z ≪ 0. Differs from
 * {@link sigmoid} in the last bit for some z < 0; kept for the DENS sampler's gates, whose picks
 * depend on these exact values.
 */
export function sigmoidDirect(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** softplus(x) = log(1 + e^x), stable for large |x| (the BPR loss −log σ(s⁺ − s⁻) = softplus(s⁻ − s⁺)). */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** log σ(x) = −softplus(−x), stable for large |x|. */
export function logSigmoid(x: number): number {
  return -softplus(-x);
}

/**
 * log(1 + Σ_k exp x_k) over x[0..K) and its gradient p_k = exp x_k / (1 + Σ exp x) into p, stably
 * (shifted by m = max(0, max_k x_k)); the log-sum-exp terms of the DENS gating loss.
 */
export function logOnePlusSumExp(x: Float64Array, K: number, p: Float64Array): number {
  let m = 0;
  for (let k = 0; k < K; k++) if (x[k]! > m) m = x[k]!;
  let sum = Math.exp(-m);
  for (let k = 0; k < K; k++) {
    p[k] = Math.exp(x[k]! - m);
    sum += p[k]!;
  }
  for (let k = 0; k < K; k++) p[k] = p[k]! / sum;
  return m + Math.log(sum);
}
