import type { NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { growFloat64, growInt32 } from './buffers.ts';
import { fillCandidates } from './candidates.ts';
import { scoreCandidates } from './score.ts';
import { validateRequest } from './validate.ts';

/** Candidates of a batch and their pooled scores: slot t (pair b = ⌊t/k⌋) owns [t·M, t·M + M). */
export interface ScoredCandidates {
  readonly cand: Int32Array;
  readonly scores: Float64Array;
}

/**
 * The shared first half of the score-based samplers (DNS, DNS(M,N), AHNS): validate the request, draw
 * M candidates per negative slot (from `source`, default uniform) and score each with ⟨pooled user,
 * pooled item⟩. Buffers are reused across batches (the views are valid until the next call).
 */
export function createScoredCandidates(name: string, M: number, source: NegativeSampler | undefined): (request: SampleRequest, rng: Rng) => ScoredCandidates {
  let cand: Int32Array = new Int32Array(0);
  let scores: Float64Array = new Float64Array(0);
  return (request, rng) => {
    validateRequest(name, request);
    const { users, k, model } = request;
    const per = k * M;
    cand = growInt32(cand, users.length * per);
    scores = growFloat64(scores, users.length * per);
    fillCandidates(name, request, per, rng, cand, source);
    scoreCandidates(users, cand, per, model.pooledUsers(), model.pooledItems(), model.dim, scores);
    return { cand, scores };
  };
}
