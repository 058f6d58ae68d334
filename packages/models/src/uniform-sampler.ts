import { DtlError, csrHas } from '@dtl/core';
import type { NegativeSampler, Rng, SampleRequest } from '@dtl/core';

/**
 * Uniform negative sampling (RNS; Rendle et al., UAI 2009): each negative drawn uniformly from the
 * items the user has not interacted with, by rejection. The fit loop's default; `@dtl/sampler` has
 * the full family (this is a separate implementation from its `rns`, so it has its own name).
 */
export function createUniformSampler(): NegativeSampler {
  return {
    name: 'uniform-rejection',
    output: 'items',
    sample(request: SampleRequest, rng: Rng) {
      const { users, k, exclude } = request;
      const nItems = exclude.nCols;
      const items = new Int32Array(users.length * k);
      for (let b = 0; b < users.length; b++) {
        const u = users[b]!;
        const taken = exclude.indptr[u + 1]! - exclude.indptr[u]!;
        if (taken >= nItems) throw new DtlError('NO_VALID_NEGATIVE', `user ${u} has interacted with every item`);
        for (let j = 0; j < k; j++) {
          let item = rng.int(nItems);
          while (csrHas(exclude, u, item)) item = rng.int(nItems);
          items[b * k + j] = item;
        }
      }
      return { kind: 'items', k, items };
    },
  };
}
