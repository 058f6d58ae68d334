/**
 * AHNS — adaptive hardness negative sampling: R. Lai, R. Chen, Q. Han, C. Zhang, L. Chen, "Adaptive
 * Hardness Negative Sampling for Collaborative Filtering", AAAI 2024. The harder the positive is for
 * the model (low positive score), the harder the negative it gets: of M candidates pick
 * argmin_j |s(u,j) − β·(s(u,i⁺) + α)^(p+1)|. Formula, defaults (α 1.0, β 0.1, p −2, inner product of
 * mean-pooled embeddings) and argmin taken from the reference code, github.com/Riwei-HEU/AHNS
 * (`modules/MF.py`, `adaptive_negative_sampling`; `utils/parser.py`).
 */
import type { NegativeBatch, NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { checkCandidateSource } from './internal/candidates.ts';
import { dot } from './internal/score.ts';
import { checkFinite, checkInteger } from './internal/validate.ts';
import { createCandidateScorer } from './internal/scored-candidates.ts';
import { gatherDotArgminDistance } from '@dtl/kernels';

/** Options of {@link createAhnsSampler}. */
export interface AhnsSamplerOptions {
  /** Candidates M per negative. Default 32 (the reference code's `n_negs`; DTL-NS's runs used 10). */
  readonly candidates?: number | undefined;
  /** α, shifts the positive score. Default 1.0. */
  readonly alpha?: number | undefined;
  /** β, scales the target hardness. Default 0.1. */
  readonly beta?: number | undefined;
  /** p, the power (target = β·(s⁺ + α)^(p+1)). Default −2. */
  readonly p?: number | undefined;
  /** Where candidates come from (a sampler with `output: 'items'`). Default: uniform (RNS). */
  readonly candidateSampler?: NegativeSampler | undefined;
}

/** Defaults of {@link createAhnsSampler} (the paper's: M 32, α 1.0, β 0.1, p −2). */
export const AHNS_SAMPLER_DEFAULTS = { candidates: 32, alpha: 1.0, beta: 0.1, p: -2 } as const;

/**
 * AHNS: per negative, the candidate whose pooled score is closest to β·(s⁺ + α)^(p+1). A non-finite
 * target (e.g. s⁺ + α = 0 with p + 1 < 0, or a negative base with a fractional power) makes every
 * criterion NaN; the first candidate is then taken, as torch.min does in the reference code.
 */
export function createAhnsSampler(options: AhnsSamplerOptions = {}): NegativeSampler {
  const name = 'ahns';
  const M = checkInteger(name, 'candidates', options.candidates ?? AHNS_SAMPLER_DEFAULTS.candidates, 1);
  const alpha = checkFinite(name, 'alpha', options.alpha ?? AHNS_SAMPLER_DEFAULTS.alpha);
  const beta = checkFinite(name, 'beta', options.beta ?? AHNS_SAMPLER_DEFAULTS.beta);
  const p = checkFinite(name, 'p', options.p ?? AHNS_SAMPLER_DEFAULTS.p);
  const source = options.candidateSampler;
  checkCandidateSource(name, source);
  const scorer = createCandidateScorer(name, M, source);
  return {
    name,
    output: 'items',
    sample(request: SampleRequest, rng: Rng): NegativeBatch {
      const cand = scorer.draw(request, rng);
      const { users, positives, k, model } = request;
      const B = users.length;
      const per = k * M;
      const dim = model.dim;
      const d4 = dim - (dim % 4);
      const U = model.pooledUsers();
      const I = model.pooledItems();
      const items = new Int32Array(B * k);
      // Fused score + argmin in wasm when the model is in an arena: the per-pair targets are the JS
      // loop's (same dot, same Math.pow), the scores and comparisons the same bits.
      const targets = scorer.floats(B, request);
      for (let b = 0; b < B; b++) targets[b] = beta * Math.pow(dot(U, users[b]! * dim, I, positives[b]! * dim, dim, d4) + alpha, p + 1);
      const chosen = scorer.ints(B * k, request);
      if (gatherDotArgminDistance(users, cand, M, k, U, I, dim, targets, chosen)) {
        for (let t = 0; t < B * k; t++) items[t] = cand[chosen[t]!]!;
        return { kind: 'items', k, items };
      }
      const scores = scorer.score(request);
      for (let b = 0; b < B; b++) {
        const target = targets[b]!;
        for (let j = 0; j < k; j++) {
          const o = b * per + j * M;
          let best = o;
          let bestCrit = Math.abs(scores[o]! - target);
          for (let c = o + 1; c < o + M; c++) {
            const crit = Math.abs(scores[c]! - target);
            if (crit < bestCrit) {
              bestCrit = crit;
              best = c;
            }
          }
          items[b * k + j] = cand[best]!;
        }
      }
      return { kind: 'items', k, items };
    },
  };
}
