/**
 * RNS — uniform random negative sampling, the default of BPR: S. Rendle, C. Freudenthaler,
 * Z. Gantner, L. Schmidt-Thieme, "BPR: Bayesian Personalized Ranking from Implicit Feedback",
 * UAI 2009 (§4.1, uniform sampling of unobserved items).
 */
import type { NegativeBatch, NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { fillUniform } from './internal/uniform.ts';
import { validateRequest } from './internal/validate.ts';

/**
 * Uniform negatives: each of the `k` negatives of a pair is drawn uniformly (with replacement) from
 * the items the user does not exclude. Rejection sampling against the sorted `exclude` row; a user
 * who excludes more than half the items is served by an exact rank draw over the complement instead,
 * so heavy users never stall. No options.
 */
export function createRnsSampler(): NegativeSampler {
  const name = 'rns';
  return {
    name,
    output: 'items',
    sample(request: SampleRequest, rng: Rng): NegativeBatch {
      validateRequest(name, request);
      const { users, k, exclude, model } = request;
      const items = new Int32Array(users.length * k);
      fillUniform(name, users, exclude, model.nItems, k, rng, items);
      return { kind: 'items', k, items };
    },
  };
}
