/**
 * DNS — dynamic negative sampling: W. Zhang, T. Chen, J. Wang, Y. Yu, "Optimizing Top-N
 * Collaborative Filtering via Dynamic Negative Item Sampling", SIGIR 2013. Of M uniform candidates,
 * the one the current model scores highest is the negative. Scoring follows the AHNS/DENS reference
 * code (github.com/Riwei-HEU/AHNS, `dynamic_negative_sampling`): inner product of the pooled user and
 * pooled item embeddings.
 */
import type { NegativeBatch, NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { checkCandidateSource } from './internal/candidates.ts';
import { checkInteger } from './internal/validate.ts';
import { createCandidateScorer } from './internal/scored-candidates.ts';
import { gatherDotArgmax } from '@dtl/kernels';

/** Options of {@link createDnsSampler}. */
export interface DnsSamplerOptions {
  /** Candidates M per negative. Default 10. */
  readonly candidates?: number | undefined;
  /** Where candidates come from (a sampler with `output: 'items'`). Default: uniform (RNS). */
  readonly candidateSampler?: NegativeSampler | undefined;
}

/** Defaults of {@link createDnsSampler}. */
export const DNS_SAMPLER_DEFAULTS = { candidates: 10 } as const;

/** DNS: argmax_j ⟨pooled u, pooled j⟩ over M candidates, per negative; ties go to the first candidate. */
export function createDnsSampler(options: DnsSamplerOptions = {}): NegativeSampler {
  const name = 'dns';
  const M = checkInteger(name, 'candidates', options.candidates ?? DNS_SAMPLER_DEFAULTS.candidates, 1);
  const source = options.candidateSampler;
  checkCandidateSource(name, source);
  const scorer = createCandidateScorer(name, M, source);
  return {
    name,
    output: 'items',
    sample(request: SampleRequest, rng: Rng): NegativeBatch {
      const cand = scorer.draw(request, rng);
      const { users, k, model } = request;
      const B = users.length;
      const items = new Int32Array(B * k);
      // Fused score + argmax in wasm when the model is in an arena (same scores, same comparisons).
      const chosen = scorer.ints(B * k, request);
      if (gatherDotArgmax(users, cand, M, k, model.pooledUsers(), model.pooledItems(), model.dim, chosen)) {
        for (let t = 0; t < B * k; t++) items[t] = cand[chosen[t]!]!;
        return { kind: 'items', k, items };
      }
      const scores = scorer.score(request);
      for (let t = 0; t < B * k; t++) {
        const o = t * M;
        let best = o;
        let bestScore = scores[o]!;
        for (let c = o + 1; c < o + M; c++) {
          const s = scores[c]!;
          if (s > bestScore) {
            bestScore = s;
            best = c;
          }
        }
        items[t] = cand[best]!;
      }
      return { kind: 'items', k, items };
    },
  };
}
