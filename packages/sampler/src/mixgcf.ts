/**
 * MixGCF — T. Huang, Y. Dong, M. Ding, Z. Yang, W. Feng, X. Wang, J. Tang, "MixGCF: An Improved
 * Training Method for Graph Neural Network-based Recommender Systems", KDD 2021. Synthesizes hard
 * negatives per layer: positive mixing e'_{j,l} = a_l·e_{i⁺,l} + (1 − a_l)·e_{j,l} with a_l ~ U(0,1)
 * per pair and layer (shared by the candidates), then hop mixing: per layer the candidate maximizing
 * ⟨u, e'_{j,l}⟩. Follows the reference code (github.com/huangtinglin/MixGCF, `modules/LightGCN.py`,
 * `negative_sampling`): u is the *pooled* user embedding when pooling is mean/sum (the setting of the
 * AHNS/DENS/DTL-NS forks, `--pool mean`); with `--pool concat` (the original parser's default) each
 * layer is scored with the layer-l user embedding — `userView: 'layer'` reproduces that.
 */
import { allocateMixedBatch } from '@dtl/core';
import type { NegativeBatch, NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { checkCandidateSource, fillCandidates } from './internal/candidates.ts';
import { growInArena, pickedItem, pickPerLayer, writeMixedPairs } from './internal/mix.ts';
import { checkInteger, validateRequest } from './internal/validate.ts';

/** Which user embedding scores layer l: the pooled user (default) or the layer-l user. */
export type UserView = 'pooled' | 'layer';

/** Options of {@link createMixGcfSampler}. */
export interface MixGcfSamplerOptions {
  /** Candidates N per negative. Default 10. */
  readonly candidates?: number | undefined;
  /** User embedding for hop mixing. Default `'pooled'`. */
  readonly userView?: UserView | undefined;
  /** Where candidates come from (a sampler with `output: 'items'`). Default: uniform (RNS). */
  readonly candidateSampler?: NegativeSampler | undefined;
}

/** Defaults of {@link createMixGcfSampler}. */
export const MIXGCF_SAMPLER_DEFAULTS = { candidates: 10, userView: 'pooled' } as const;

/**
 * MixGCF: `mixed` output with 2 sources per layer — (positive, a_l) and (chosen candidate, 1 − a_l) —
 * so gradients reach both. For a 1-layer model (MF) this is positive mixing alone.
 */
export function createMixGcfSampler(options: MixGcfSamplerOptions = {}): NegativeSampler {
  const name = 'mixgcf';
  const N = checkInteger(name, 'candidates', options.candidates ?? MIXGCF_SAMPLER_DEFAULTS.candidates, 1);
  const userView = options.userView ?? MIXGCF_SAMPLER_DEFAULTS.userView;
  const source = options.candidateSampler;
  checkCandidateSource(name, source);
  let cand: Int32Array = new Int32Array(0);
  let chosen: Int32Array = new Int32Array(0);
  let alphas: Float64Array = new Float64Array(0);
  const scratch = new Float64Array(N);
  return {
    name,
    output: 'mixed',
    sample(request: SampleRequest, rng: Rng): NegativeBatch {
      validateRequest(name, request);
      const { users, positives, k, model } = request;
      const B = users.length;
      const L = model.nLayers;
      const ref = model.pooledItems();
      cand = growInArena.i32(cand, B * k * N, ref);
      chosen = growInArena.i32(chosen, B * k * L, ref);
      alphas = growInArena.f64(alphas, B * k * L, ref);
      fillCandidates(name, request, k * N, rng, cand, source);
      pickPerLayer({
        users,
        positives,
        k,
        nCand: N,
        cand,
        nLayers: L,
        dim: model.dim,
        userVecs: userView === 'pooled' ? () => model.pooledUsers() : (l) => model.userLayer(l),
        itemVecs: (l) => model.itemLayer(l),
        mix: true,
        normalize: false,
        bonus: null,
        rng,
        alphas,
        chosen,
        scratch,
      });
      const batch = allocateMixedBatch(B, k, L, 2);
      writeMixedPairs(positives, k, L, cand, chosen, alphas, batch.items, batch.weights);
      for (let t = 0; t < B * k; t++) batch.picked[t] = pickedItem(t, L, cand, chosen, alphas, model.layerWeights);
      return batch;
    },
  };
}
