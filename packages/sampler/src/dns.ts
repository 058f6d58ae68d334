/**
 * DNS — dynamic negative sampling: W. Zhang, T. Chen, J. Wang, Y. Yu, "Optimizing Top-N
 * Collaborative Filtering via Dynamic Negative Item Sampling", SIGIR 2013. Of M uniform candidates,
 * the one the current model scores highest is the negative. Scoring follows the AHNS/DENS reference
 * code (github.com/Riwei-HEU/AHNS, `dynamic_negative_sampling`): inner product of the pooled user and
 * pooled item embeddings.
 */
import type { NegativeBatch, NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { growFloat64, growInt32 } from './internal/buffers.ts';
import { checkCandidateSource, fillCandidates } from './internal/candidates.ts';
import { scoreCandidates } from './internal/score.ts';
import { checkInteger, validateRequest } from './internal/validate.ts';

/** Options of {@link createDnsSampler}. */
export interface DnsSamplerOptions {
  /** Candidates M per negative. Default 10. */
  readonly candidates?: number | undefined;
  /** Where candidates come from (a sampler with `output: 'items'`). Default: uniform (RNS). */
  readonly candidateSampler?: NegativeSampler | undefined;
}

/** DNS: argmax_j ⟨pooled u, pooled j⟩ over M candidates, per negative; ties go to the first candidate. */
export function createDnsSampler(options: DnsSamplerOptions = {}): NegativeSampler {
  const name = 'dns';
  const M = checkInteger(name, 'candidates', options.candidates ?? 10, 1);
  const source = options.candidateSampler;
  checkCandidateSource(name, source);
  let cand: Int32Array = new Int32Array(0);
  let scores: Float64Array = new Float64Array(0);
  return {
    name,
    output: 'items',
    sample(request: SampleRequest, rng: Rng): NegativeBatch {
      validateRequest(name, request);
      const { users, k, model } = request;
      const B = users.length;
      const per = k * M;
      cand = growInt32(cand, B * per);
      scores = growFloat64(scores, B * per);
      fillCandidates(name, request, per, rng, cand, source);
      scoreCandidates(users, cand, per, model.pooledUsers(), model.pooledItems(), model.dim, scores);
      const items = new Int32Array(B * k);
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
