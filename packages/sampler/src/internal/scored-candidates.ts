import { pickBuffers } from '@dtl/kernels';
import type { NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { fillCandidates } from './candidates.ts';
import { scoreCandidates } from './score.ts';
import { validateRequest } from './validate.ts';

/**
 * The candidate half of the score-based samplers (see {@link createCandidateScorer}); slot t
 * (pair b = ⌊t/k⌋) owns candidates [t·M, t·M + M).
 */
export interface CandidateScorer {
  /** Validates the request and draws M candidates per negative slot (from `source`, default uniform). */
  draw(request: SampleRequest, rng: Rng): Int32Array;
  /** ⟨pooled user, pooled item⟩ of every candidate of the last {@link draw} (same request). */
  score(request: SampleRequest): Float64Array;
  /** An int32 scratch list of at least n entries, kept where the scoring kernels read it without copies. */
  ints(n: number, request: SampleRequest): Int32Array;
  /** A float64 scratch list of at least n entries, likewise. */
  floats(n: number, request: SampleRequest): Float64Array;
}

/**
 * The shared first half of the score-based samplers (DNS, DNS(M,N), AHNS): validate the request, draw
 * M candidates per negative slot (from `source`, default uniform) and, on demand, score each with
 * ⟨pooled user, pooled item⟩. Buffers are reused across batches (the views are valid until the next
 * call) and live in the model's wasm arena when it has one, so the wasm kernels read the candidates and
 * write the scores in place (no copies).
 */
export function createCandidateScorer(name: string, M: number, source: NegativeSampler | undefined): CandidateScorer {
  const bufs = pickBuffers();
  let cand: Int32Array = new Int32Array(0);
  let scores: Float64Array = new Float64Array(0);
  let ints: Int32Array = new Int32Array(0);
  let floats: Float64Array = new Float64Array(0);
  return {
    draw(request, rng) {
      validateRequest(name, request);
      const { users, k, model } = request;
      const per = k * M;
      cand = bufs.i32(cand, users.length * per, model.pooledItems());
      fillCandidates(name, request, per, rng, cand, source);
      return cand;
    },
    score(request) {
      const { users, k, model } = request;
      const per = k * M;
      scores = bufs.f64(scores, users.length * per, model.pooledItems());
      scoreCandidates(users, cand, per, model.pooledUsers(), model.pooledItems(), model.dim, scores);
      return scores;
    },
    ints(n, request) {
      ints = bufs.i32(ints, n, request.model.pooledItems());
      return ints;
    },
    floats(n, request) {
      floats = bufs.f64(floats, n, request.model.pooledItems());
      return floats;
    },
  };
}
