import { gatherDotScores } from '@dtl/kernels';

/**
 * The fused gather+dot kernel of the two-pass samplers: for every pair b and each of its `perPair`
 * candidates, `out[b*perPair + c] = ⟨U[users[b]], I[cand[b*perPair + c]]⟩` over `dim`, accumulated in
 * float64 with four independent accumulators. Runs `gatherDotScores` of @dtl/kernels: WebAssembly
 * SIMD when the model's embeddings live in a wasm arena (models built with the wasm kernels), else its
 * typed-array JS twin `gatherDotJs`; both give the same float64 bits, hence the same picks.
 */
export function scoreCandidates(
  users: Int32Array,
  cand: Int32Array,
  perPair: number,
  U: Float32Array,
  I: Float32Array,
  dim: number,
  out: Float64Array,
): void {
  gatherDotScores(users, cand, perPair, U, I, dim, out);
}

/** ⟨a[ao..ao+dim), b[bo..bo+dim)⟩ in float64; `d4` = dim rounded down to a multiple of 4. */
export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number, d4: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t < d4; t += 4) {
    s0 += a[ao + t]! * b[bo + t]!;
    s1 += a[ao + t + 1]! * b[bo + t + 1]!;
    s2 += a[ao + t + 2]! * b[bo + t + 2]!;
    s3 += a[ao + t + 3]! * b[bo + t + 3]!;
  }
  for (; t < dim; t++) s0 += a[ao + t]! * b[bo + t]!;
  return s0 + s1 + (s2 + s3);
}
