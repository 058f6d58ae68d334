import { DtlError } from '@dtl/core';
import type { NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { fillUniform } from './uniform.ts';

/**
 * Candidate generation shared by the two-pass (candidates → pick) samplers: `perPair` candidates for
 * every pair, written to `out[b*perPair + c]`. Uniform over the non-excluded items by default; with a
 * `source` sampler (it must output real items), its negatives are the candidates — that is how a hard
 * sampler wraps, say, the popularity sampler's candidate distribution.
 */
export function fillCandidates(
  sampler: string,
  request: SampleRequest,
  perPair: number,
  rng: Rng,
  out: Int32Array,
  source: NegativeSampler | undefined,
): void {
  if (source === undefined) {
    fillUniform(sampler, request.users, request.exclude, request.model.nItems, perPair, rng, out);
    return;
  }
  const batch = source.sample({ ...request, k: perPair }, rng);
  if (batch.kind !== 'items') {
    throw new DtlError('INVALID_ARGUMENT', `${sampler}: candidate sampler "${source.name}" must output real items`);
  }
  if (batch.items.length !== request.users.length * perPair) {
    throw new DtlError('STATE_MISMATCH', `${sampler}: candidate sampler "${source.name}" returned ${batch.items.length} items, expected ${request.users.length * perPair}`);
  }
  out.set(batch.items);
}

/** Throws unless a candidate source outputs real items. */
export function checkCandidateSource(sampler: string, source: NegativeSampler | undefined): void {
  if (source !== undefined && source.output !== 'items') {
    throw new DtlError('INVALID_ARGUMENT', `${sampler}: candidate sampler "${source.name}" must output real items`);
  }
}
