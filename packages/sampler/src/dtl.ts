/**
 * The DTL-NS multi-view hard negative sampler: J. Wu, Z. Wu, X. Li, R.-H. Li, G. Wang, "Dual-Tree
 * LLM-Enhanced Negative Sampling for Implicit Collaborative Filtering", arXiv 2602.18249 (2026), as
 * read from the authors' code and described in docs/method.md §9. MixGCF-style (Huang et al., KDD
 * 2021): N candidates; per layer, positive mixing e'_{j,l} = a_l·e_{i⁺,l} + (1 − a_l)·e_{j,l}; the
 * preference view ŝ_{j,l} = min–max over the N candidates of ⟨ū, e'_{j,l}⟩ (ū = mean_l e_{u,l}, the
 * pooled user); plus the hierarchical views α_co·sim_co(i⁺, j) + α_se·sim_se(i⁺, j), the prefix
 * similarity of the items' tree codes to the positive; argmax per layer.
 */
import { DtlError, allocateMixedBatch } from '@dtl/core';
import type { Codebook, NegativeBatch, NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { checkCandidateSource, fillCandidates } from './internal/candidates.ts';
import { growInArena, pickedItem, pickPerLayer, writeMixedPairs } from './internal/mix.ts';
import { packCodes, similarityFn } from './internal/packed-codes.ts';
import { packedCodeBonus } from '@dtl/kernels';
import type { PackedCodeView } from '@dtl/kernels';
import { checkFinite, checkInteger, validateRequest } from './internal/validate.ts';
import type { UserView } from './mixgcf.ts';
import { FN_AWARE_DEFAULTS, compileFnAware } from './fn-aware.ts';
import type { FnAwareOptions } from './fn-aware.ts';

/** Options of {@link createDtlSampler}. */
export interface DtlSamplerOptions extends FnAwareOptions {
  /**
   * Item codes of the two trees (a `DualCodebook`, or either tree alone for ablations). A view without
   * a codebook contributes nothing. Each codebook must cover the model's `nItems` items.
   */
  readonly codes?: { readonly co?: Codebook | undefined; readonly se?: Codebook | undefined } | undefined;
  /**
   * Weight α_co of the collaborative-structure view. Default 0.1 (0 when there is no `co` codebook).
   * Negative values penalise candidates close to the positive in the tree (false-negative-aware).
   */
  readonly alphaCo?: number | undefined;
  /** Weight α_se of the latent-semantic view. Default 0.3 (0 when there is no `se` codebook). */
  readonly alphaSe?: number | undefined;
  /** Candidates N per negative. Default 10. */
  readonly candidates?: number | undefined;
  /**
   * Positive + hop mixing (default true → `mixed` output, 2 sources per layer). False → real items:
   * argmax of min–max(⟨pooled u, pooled j⟩) + the code views (an ablation).
   */
  readonly mixing?: boolean | undefined;
  /** User embedding scoring layer l. Default `'pooled'` (method.md: mean_l e_{u,l}). */
  readonly userView?: UserView | undefined;
  /** Where candidates come from (a sampler with `output: 'items'`). Default: uniform (RNS). */
  readonly candidateSampler?: NegativeSampler | undefined;
}

/**
 * Defaults of {@link createDtlSampler} (method.md; α_co / α_se apply only to a view that has codes,
 * else 0). The false-negative-aware terms are off by default (fn-aware.ts).
 */
export const DTL_SAMPLER_DEFAULTS = { alphaCo: 0.1, alphaSe: 0.3, candidates: 10, mixing: true, userView: 'pooled', ...FN_AWARE_DEFAULTS } as const;

/**
 * The DTL multi-view sampler. With α_co = α_se = 0 (or no codes) and mixing on it picks exactly what
 * MixGCF picks (min–max normalization is a positive affine map per layer), so the code views are the
 * only difference — the ablation the paper's claim rests on.
 */
export function createDtlSampler(options: DtlSamplerOptions = {}): NegativeSampler {
  const name = 'dtl';
  const co = options.codes?.co;
  const se = options.codes?.se;
  const alphaCo = checkFinite(name, 'alphaCo', options.alphaCo ?? (co !== undefined ? DTL_SAMPLER_DEFAULTS.alphaCo : 0));
  const alphaSe = checkFinite(name, 'alphaSe', options.alphaSe ?? (se !== undefined ? DTL_SAMPLER_DEFAULTS.alphaSe : 0));
  if (alphaCo !== 0 && co === undefined) throw new DtlError('INVALID_ARGUMENT', `${name}: alphaCo = ${alphaCo} but no co codebook`);
  if (alphaSe !== 0 && se === undefined) throw new DtlError('INVALID_ARGUMENT', `${name}: alphaSe = ${alphaSe} but no se codebook`);
  const N = checkInteger(name, 'candidates', options.candidates ?? DTL_SAMPLER_DEFAULTS.candidates, 1);
  const mixing = options.mixing ?? DTL_SAMPLER_DEFAULTS.mixing;
  const userView = options.userView ?? DTL_SAMPLER_DEFAULTS.userView;
  const source = options.candidateSampler;
  checkCandidateSource(name, source);
  const useCo = alphaCo !== 0 && co !== undefined;
  const useSe = alphaSe !== 0 && se !== undefined;
  // Codes packed once into 32-bit keys: similarity becomes a clz32 (falls back to codeSimilarity).
  const simCo = useCo ? similarityFn(co!) : undefined;
  const simSe = useSe ? similarityFn(se!) : undefined;
  // When every used view packs into 32-bit keys, the bonus runs in the wasm kernel of @dtl/kernels
  // (same float64 operations in the same order as the loop below, so the same bits).
  const packedViews: PackedCodeView[] = [];
  for (const [use, cb, alpha] of [[useCo, co, alphaCo], [useSe, se, alphaSe]] as const) {
    if (!use) continue;
    const pc = packCodes(cb!);
    if (pc !== undefined) packedViews.push({ ...pc, alpha });
  }
  const allPacked = packedViews.length === Number(useCo) + Number(useSe);
  // False-negative-aware penalties (fn-aware.ts) on the agreement of the trees given, whatever their α.
  const fnTerms = compileFnAware(name, options, [co, se], 1 + Math.abs(useCo ? alphaCo : 0) + Math.abs(useSe ? alphaSe : 0));
  let cand: Int32Array = new Int32Array(0);
  let chosen: Int32Array = new Int32Array(0);
  let alphas: Float64Array = new Float64Array(0);
  let bonus: Float64Array = new Float64Array(0);
  const scratch = new Float64Array(N);

  return {
    name,
    output: mixing ? 'mixed' : 'items',
    sample(request: SampleRequest, rng: Rng): NegativeBatch {
      validateRequest(name, request);
      const { users, positives, k, model } = request;
      for (const [view, cb] of [['co', co], ['se', se]] as const) {
        if (cb !== undefined && cb.nItems !== model.nItems) {
          throw new DtlError('INVALID_ARGUMENT', `${name}: the ${view} codebook covers ${cb.nItems} items, the model ${model.nItems}`);
        }
      }
      const B = users.length;
      const L = mixing ? model.nLayers : 1;
      const nc = B * k * N;
      const ref = model.pooledItems();
      cand = growInArena.i32(cand, nc, ref);
      chosen = growInArena.i32(chosen, B * k * L, ref);
      alphas = growInArena.f64(alphas, B * k * L, ref);
      fillCandidates(name, request, k * N, rng, cand, source);
      let bonusArg: Float64Array | null = null;
      if (useCo || useSe || fnTerms !== undefined) {
        bonus = growInArena.f64(bonus, nc, ref);
        if (!useCo && !useSe) {
          bonus.fill(0, 0, nc);
        } else if (allPacked) {
          packedCodeBonus(positives, cand, k * N, packedViews, bonus);
        } else {
          for (let t = 0; t < B * k; t++) {
            const pos = positives[(t / k) | 0]!;
            for (let c = t * N; c < t * N + N; c++) {
              const j = cand[c]!;
              let s = 0;
              if (simCo !== undefined) s += alphaCo * simCo(pos, j);
              if (simSe !== undefined) s += alphaSe * simSe(pos, j);
              bonus[c] = s;
            }
          }
        }
        fnTerms?.apply(users, positives, k * N, cand, request.exclude, bonus);
        bonusArg = bonus;
      }
      pickPerLayer({
        users,
        positives,
        k,
        nCand: N,
        cand,
        nLayers: L,
        dim: model.dim,
        userVecs: userView === 'pooled' || !mixing ? () => model.pooledUsers() : (l) => model.userLayer(l),
        itemVecs: mixing ? (l) => model.itemLayer(l) : () => model.pooledItems(),
        mix: mixing,
        normalize: true,
        bonus: bonusArg,
        rng,
        alphas,
        chosen,
        scratch,
      });
      if (!mixing) {
        const items = new Int32Array(B * k);
        for (let t = 0; t < B * k; t++) items[t] = cand[chosen[t]!]!;
        return { kind: 'items', k, items };
      }
      const batch = allocateMixedBatch(B, k, L, 2);
      writeMixedPairs(positives, k, L, cand, chosen, alphas, batch.items, batch.weights);
      for (let t = 0; t < B * k; t++) batch.picked[t] = pickedItem(t, L, cand, chosen, alphas, model.layerWeights);
      return batch;
    },
  };
}
