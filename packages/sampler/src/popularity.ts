/**
 * Popularity-biased negative sampling, P(j) ∝ deg(j)^α: the unigram^0.75 noise distribution of
 * T. Mikolov et al., "Distributed Representations of Words and Phrases and their Compositionality",
 * NeurIPS 2013 (§2.2), as used for item negatives e.g. by H. Caselles-Dupré et al., "Word2vec
 * applied to Recommendation: Hyperparameters Matter", RecSys 2018. Draws use Walker's alias method.
 */
import { DtlError } from '@dtl/core';
import type { NegativeBatch, NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { buildAliasTable } from './internal/alias.ts';
import { noValidNegative, nthNotExcluded, rowHas } from './internal/uniform.ts';
import { checkFinite, validateRequest } from './internal/validate.ts';

/** Options of {@link createPopularitySampler}. */
export interface PopularitySamplerOptions {
  /** Train degree (interaction count) of every item; its length must equal the model's `nItems`. */
  readonly degrees: ArrayLike<number>;
  /** Exponent α of deg^α. Default 0.75 (0 = uniform over items with deg > 0, 1 = proportional). */
  readonly alpha?: number | undefined;
}

const MAX_TRIES = 64;

/** Defaults of {@link createPopularitySampler}. */
export const POPULARITY_SAMPLER_DEFAULTS = { alpha: 0.75 } as const;

/**
 * Negatives drawn with probability ∝ deg(j)^α among the items the user does not exclude. The alias
 * table is built once from `degrees`; a draw that hits an excluded item is rejected and redrawn (exact
 * conditional sampling). After 64 rejections (a user excluding most of the probability mass) the
 * sampler enumerates the user's complement with the same weights; if every remaining item has weight
 * 0 (degree 0), it falls back to uniform over the complement rather than failing.
 */
export function createPopularitySampler(options: PopularitySamplerOptions): NegativeSampler {
  const name = 'pop';
  const alpha = checkFinite(name, 'alpha', options.alpha ?? POPULARITY_SAMPLER_DEFAULTS.alpha);
  const nItems = options.degrees.length;
  const weights = new Float64Array(nItems);
  let total = 0;
  for (let i = 0; i < nItems; i++) {
    const d = options.degrees[i]!;
    if (!(d >= 0) || !Number.isFinite(d)) {
      throw new DtlError('INVALID_ARGUMENT', `${name}: degree of item ${i} must be a finite number ≥ 0, got ${d}`);
    }
    const w = d > 0 ? Math.pow(d, alpha) : 0;
    weights[i] = w;
    total += w;
  }
  const table = total > 0 ? buildAliasTable(weights, total) : undefined;

  /** Weighted draw over the complement of row [start, end) by walking all items once. */
  const drawComplement = (idx: Int32Array, start: number, end: number, u: number, rng: Rng): number => {
    let mass = 0;
    let p = start;
    for (let i = 0; i < nItems; i++) {
      if (p < end && idx[p] === i) {
        p++;
        continue;
      }
      mass += weights[i]!;
    }
    const nEx = end - start;
    if (nEx >= nItems) throw noValidNegative(name, u, nItems);
    if (!(mass > 0)) return nthNotExcluded(idx, start, end, rng.int(nItems - nEx));
    let r = rng.next() * mass;
    let last = -1;
    p = start;
    for (let i = 0; i < nItems; i++) {
      if (p < end && idx[p] === i) {
        p++;
        continue;
      }
      const w = weights[i]!;
      if (w <= 0) continue;
      last = i;
      r -= w;
      if (r < 0) return i;
    }
    return last;
  };

  return {
    name,
    output: 'items',
    sample(request: SampleRequest, rng: Rng): NegativeBatch {
      validateRequest(name, request);
      const { users, k, exclude, model } = request;
      if (model.nItems !== nItems) {
        throw new DtlError('INVALID_ARGUMENT', `${name}: ${nItems} degrees but the model has ${model.nItems} items`);
      }
      const items = new Int32Array(users.length * k);
      const idx = exclude.indices;
      for (let b = 0; b < users.length; b++) {
        const u = users[b]!;
        const start = exclude.indptr[u]!;
        const end = exclude.indptr[u + 1]!;
        if (end - start >= nItems) throw noValidNegative(name, u, nItems);
        for (let j = 0; j < k; j++) {
          let item = -1;
          if (table !== undefined) {
            for (let t = 0; t < MAX_TRIES; t++) {
              const c = rng.int(nItems);
              const cand = rng.next() < table.prob[c]! ? c : table.alias[c]!;
              if (!rowHas(idx, start, end, cand)) {
                item = cand;
                break;
              }
            }
          }
          items[b * k + j] = item >= 0 ? item : drawComplement(idx, start, end, u, rng);
        }
      }
      return { kind: 'items', k, items };
    },
  };
}
