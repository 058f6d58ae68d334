/**
 * DNS(M,N) — W. Shi, J. Chen, F. Feng, J. Zhang, J. Wu, C. Gao, X. He, "On the Theories Behind Hard
 * Negative Sampling for Recommendation", WWW 2023: draw M uniform candidates, keep the N the model
 * scores highest, and pick one of those N uniformly (N = 1 is DNS; N = M is RNS). Follows the AHNS
 * reference code (github.com/Riwei-HEU/AHNS, `dynamic_mn_negative_sampling`): pooled inner product,
 * `topk` then a uniform index into it.
 */
import { DtlError } from '@dtl/core';
import type { NegativeBatch, NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { checkCandidateSource } from './internal/candidates.ts';
import { checkInteger } from './internal/validate.ts';
import { createCandidateScorer } from './internal/scored-candidates.ts';
import { gatherDotTopN } from '@dtl/kernels';

/** Options of {@link createDnsMnSampler}. */
export interface DnsMnSamplerOptions {
  /** Candidates M per negative. Default 10. */
  readonly candidates?: number | undefined;
  /** N: how many of the top-scored candidates to choose among. Default 5 ("top 5 of 10"). */
  readonly topN?: number | undefined;
  /** Where candidates come from (a sampler with `output: 'items'`). Default: uniform (RNS). */
  readonly candidateSampler?: NegativeSampler | undefined;
}

/** Defaults of {@link createDnsMnSampler}. */
export const DNS_MN_SAMPLER_DEFAULTS = { candidates: 10, topN: 5 } as const;

/** DNS(M,N): uniform choice among the top-N of M candidates by ⟨pooled u, pooled j⟩. */
export function createDnsMnSampler(options: DnsMnSamplerOptions = {}): NegativeSampler {
  const name = 'dnsmn';
  const M = checkInteger(name, 'candidates', options.candidates ?? DNS_MN_SAMPLER_DEFAULTS.candidates, 1);
  const N = checkInteger(name, 'topN', options.topN ?? DNS_MN_SAMPLER_DEFAULTS.topN, 1);
  if (N > M) throw new DtlError('INVALID_ARGUMENT', `${name}: topN (${N}) exceeds candidates (${M})`);
  const source = options.candidateSampler;
  checkCandidateSource(name, source);
  const scorer = createCandidateScorer(name, M, source);
  const top = new Int32Array(N);
  return {
    name,
    output: 'items',
    sample(request: SampleRequest, rng: Rng): NegativeBatch {
      const cand = scorer.draw(request, rng);
      const { users, k, model } = request;
      const B = users.length;
      const items = new Int32Array(B * k);
      // Scores + top-N sort fused in wasm when the model is in an arena (same scores, same comparisons);
      // the uniform choice among the N then draws exactly as below, one rng.int(N) per slot in slot order.
      const tops = scorer.ints(B * k * N, request);
      if (gatherDotTopN(users, cand, M, k, model.pooledUsers(), model.pooledItems(), model.dim, N, tops)) {
        for (let t = 0; t < B * k; t++) items[t] = cand[t * M + tops[t * N + rng.int(N)]!]!;
        return { kind: 'items', k, items };
      }
      const scores = scorer.score(request);
      for (let t = 0; t < B * k; t++) {
        const o = t * M;
        // Partial insertion sort: top[0..filled) holds candidate offsets by descending score (stable).
        let filled = 0;
        for (let c = o; c < o + M; c++) {
          const s = scores[c]!;
          let pos = filled;
          while (pos > 0 && scores[top[pos - 1]!]! < s) pos--;
          if (pos >= N) continue;
          const last = filled < N ? filled : N - 1;
          for (let q = last; q > pos; q--) top[q] = top[q - 1]!;
          top[pos] = c;
          if (filled < N) filled++;
        }
        items[t] = cand[top[rng.int(N)]!]!;
      }
      return { kind: 'items', k, items };
    },
  };
}
