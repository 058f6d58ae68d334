import { mixedOffset } from '@dtl/core';
import type { Rng } from '@dtl/core';
import { gatherDotPickLayer, pickBuffers } from '@dtl/kernels';
import { scoreCandidates } from './score.ts';

/** Inputs of {@link pickPerLayer}: the shared kernel of MixGCF and the DTL multi-view sampler. */
export interface PickPerLayerArgs {
  readonly users: Int32Array;
  readonly positives: Int32Array;
  readonly k: number;
  /** Candidates per negative; candidate c of negative (b, j) is `cand[(b*k + j)*nCand + c]`. */
  readonly nCand: number;
  readonly cand: Int32Array;
  readonly nLayers: number;
  readonly dim: number;
  /** User vectors scored against layer l (pooled users for every l, or layer-l users). */
  readonly userVecs: (l: number) => Float32Array;
  readonly itemVecs: (l: number) => Float32Array;
  /** Positive mixing e' = a·e_{i⁺,l} + (1 − a)·e_{j,l}, a ~ U(0,1) per (pair, negative, layer). */
  readonly mix: boolean;
  /** Min–max normalize the (mixed) scores over the candidates of each (pair, negative, layer). */
  readonly normalize: boolean;
  /** Score added per candidate (layer-independent), same indexing as `cand`; null for none. */
  readonly bonus: Float64Array | null;
  readonly rng: Rng;
  /** Out: the mixing coefficient a of (t = b*k + j, l) at `t*nLayers + l` (0 without mixing). */
  readonly alphas: Float64Array;
  /** Out: index into `cand` of the candidate chosen for (t, l), at `t*nLayers + l`. */
  readonly chosen: Int32Array;
  /** Scratch of at least nCand entries. */
  readonly scratch: Float64Array;
}

/**
 * Per (pair, negative, layer): score every candidate as ⟨u, a·e_{i⁺,l} + (1−a)·e_{c,l}⟩ (computed as
 * a·⟨u,e_{i⁺,l}⟩ + (1−a)·⟨u,e_{c,l}⟩, one gather+dot per candidate), optionally min–max normalize over
 * the candidates, add `bonus`, and keep the argmax (first on ties). All mixing coefficients are drawn
 * first, in (pair, negative, layer) order, so the RNG stream does not depend on the loop order.
 * Note: with `a` shared by the candidates and 1 − a > 0, mixing is a positive affine map of the raw
 * score, so it changes neither the argmax nor the min–max normalized score — it changes the output.
 */
export function pickPerLayer(args: PickPerLayerArgs): void {
  const { users, positives, k, nCand, cand, nLayers: L, dim, mix, normalize, bonus, rng, alphas, chosen, scratch } = args;
  const B = users.length;
  const nt = B * k * L;
  if (mix) for (let t = 0; t < nt; t++) alphas[t] = rng.next();
  else alphas.fill(0, 0, nt);
  // Per layer, every ⟨u, e_{c,l}⟩ (and ⟨u, e_{i⁺,l}⟩) in one call of the gather+dot kernel (wasm SIMD
  // when the model is in an arena; bit-identical to the JS dot either way), then the cheap per-slot pick.
  for (let l = 0; l < L; l++) {
    const U = args.userVecs(l);
    const I = args.itemVecs(l);
    // Fused in wasm when the model is in an arena: scores and pick without a JS round trip (the same
    // float64 operations and comparisons as the loops below).
    if (gatherDotPickLayer({ users, positives, cand, N: nCand, k, U, I, dim, alphas, nLayers: L, layer: l, mix, normalize, bonus, chosen })) continue;
    candScores = growF64(candScores, B * k * nCand, I);
    posScores = growF64(posScores, B, I);
    const cs = candScores;
    const ps = posScores;
    scoreCandidates(users, cand, k * nCand, U, I, dim, cs);
    if (mix) scoreCandidates(users, positives, 1, U, I, dim, ps);
    for (let b = 0; b < B; b++) {
      const sp = mix ? ps[b]! : 0;
      for (let j = 0; j < k; j++) {
        const t = b * k + j;
        const a = alphas[t * L + l]!;
        const o = t * nCand;
        let min = Infinity;
        let max = -Infinity;
        for (let c = 0; c < nCand; c++) {
          const sc = cs[o + c]!;
          const m = a * sp + (1 - a) * sc;
          scratch[c] = m;
          if (m < min) min = m;
          if (m > max) max = m;
        }
        const range = max - min;
        const inv = normalize && range > 0 ? 1 / range : 0;
        let best = 0;
        let bestScore = -Infinity;
        for (let c = 0; c < nCand; c++) {
          let s = normalize ? (scratch[c]! - min) * inv : scratch[c]!;
          if (bonus !== null) s += bonus[o + c]!;
          if (s > bestScore) {
            bestScore = s;
            best = c;
          }
        }
        chosen[t * L + l] = o + best;
      }
    }
  }
}

// Score buffers of pickPerLayer's JS path, reused across calls (grown on demand, in the model's arena when it has one).
const buffers = pickBuffers();
const growF64 = buffers.f64;
let candScores: Float64Array = new Float64Array(0);
let posScores: Float64Array = new Float64Array(0);

/** Int32 / float64 lists of MixGCF and DTL, kept in the arena of `ref` (a model table) when it has one. */
export const growInArena = buffers;

/**
 * The real item a per-layer negative is "mostly built from": among the items chosen across layers,
 * the one with the largest Σ_l layerWeights[l]·(1 − a_l) over the layers that chose it.
 */
export function pickedItem(
  t: number,
  L: number,
  cand: Int32Array,
  chosen: Int32Array,
  alphas: Float64Array,
  layerWeights: Float32Array,
): number {
  if (L === 1) return cand[chosen[t]!]!;
  let bestItem = cand[chosen[t * L]!]!;
  let bestMass = -Infinity;
  for (let l = 0; l < L; l++) {
    const item = cand[chosen[t * L + l]!]!;
    let mass = 0;
    for (let m = 0; m < L; m++) {
      if (cand[chosen[t * L + m]!]! === item) mass += (layerWeights[m] ?? 1 / L) * (1 - alphas[t * L + m]!);
    }
    if (mass > bestMass) {
      bestMass = mass;
      bestItem = item;
    }
  }
  return bestItem;
}

/** Writes the `mixed` layout with 2 sources per layer: (positive, a) and (chosen candidate, 1 − a). */
export function writeMixedPairs(
  positives: Int32Array,
  k: number,
  L: number,
  cand: Int32Array,
  chosen: Int32Array,
  alphas: Float64Array,
  items: Int32Array,
  weights: Float32Array,
): void {
  const nt = positives.length * k;
  for (let t = 0; t < nt; t++) {
    const pos = positives[(t / k) | 0]!;
    for (let l = 0; l < L; l++) {
      const o = mixedOffset(t, l, L, 2);
      const a = Math.fround(alphas[t * L + l]!);
      items[o] = pos;
      weights[o] = a;
      items[o + 1] = cand[chosen[t * L + l]!]!;
      weights[o + 1] = 1 - a;
    }
  }
}
