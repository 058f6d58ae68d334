/**
 * A tree-aware candidate source (issue 19): part of the candidates come from the positive's sibling
 * subtree in one tree — items whose code shares the positive's code up to its parent (all digits but
 * the last), i.e. hard, topically close items — restricted to items the *other* tree puts far from the
 * positive (prefix similarity ≤ `otherMax`, default 0: a different top-level branch), so that the two
 * trees disagree and the candidate is unlikely to be a false negative. The rest are uniform. Meant as the
 * `candidateSampler` of a hard sampler (DTL, MixGCF, DNS), which then picks among the candidates.
 */
import { DtlError } from '@dtl/core';
import type { Codebook, NegativeBatch, NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { fillUniform } from './internal/uniform.ts';
import { similarityFn } from './internal/packed-codes.ts';
import { validateRequest } from './internal/validate.ts';

/** Options of {@link createTreePoolSampler}. */
export interface TreePoolSamplerOptions {
  /** The two trees' codebooks; both are required (the pool of one tree is filtered by the other). */
  readonly codes: { readonly co: Codebook; readonly se: Codebook };
  /** Probability in [0, 1] that a candidate is drawn from a tree pool instead of uniformly. Default 0.5. */
  readonly share?: number | undefined;
  /** Largest prefix similarity to the positive in the other tree of a pool item, in [0, 1). Default 0. */
  readonly otherMax?: number | undefined;
  /** Draws from a pool before falling back to the uniform candidate when they hit excluded items. Default 4. */
  readonly tries?: number | undefined;
}

/** True when `item` is in the sorted row [lo, hi) of `indices`. */
function inRow(indices: Int32Array, lo: number, hi: number, item: number): boolean {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = indices[mid]!;
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/** Defaults of {@link createTreePoolSampler}. */
export const TREE_POOL_SAMPLER_DEFAULTS = { share: 0.5, otherMax: 0, tries: 4 } as const;

/**
 * Candidates: first a uniform draw over the non-excluded items for every slot (so every slot has a
 * valid item and a user with nothing left raises NO_VALID_NEGATIVE), then, with probability `share`,
 * a slot is replaced by a uniform draw from the pool of the positive in a tree chosen uniformly (co or
 * se); an excluded pool draw is retried up to `tries` times, then the uniform candidate stays.
 */
export function createTreePoolSampler(options: TreePoolSamplerOptions): NegativeSampler {
  const name = 'tree-pool';
  const { co, se } = options.codes ?? ({} as TreePoolSamplerOptions['codes']);
  if (co === undefined || se === undefined) throw new DtlError('INVALID_ARGUMENT', `${name}: needs both codebooks (codes.co and codes.se)`);
  if (co.nItems !== se.nItems) throw new DtlError('INVALID_ARGUMENT', `${name}: the co codebook covers ${co.nItems} items, the se codebook ${se.nItems}`);
  const share = options.share ?? TREE_POOL_SAMPLER_DEFAULTS.share;
  if (!(Number.isFinite(share) && share >= 0 && share <= 1)) throw new DtlError('INVALID_ARGUMENT', `${name}: share must be in [0, 1], got ${share}`);
  const otherMax = options.otherMax ?? TREE_POOL_SAMPLER_DEFAULTS.otherMax;
  if (!(Number.isFinite(otherMax) && otherMax >= 0 && otherMax < 1)) throw new DtlError('INVALID_ARGUMENT', `${name}: otherMax must be in [0, 1), got ${otherMax}`);
  const tries = options.tries ?? TREE_POOL_SAMPLER_DEFAULTS.tries;
  if (!Number.isInteger(tries) || tries < 1) throw new DtlError('INVALID_ARGUMENT', `${name}: tries must be an integer ≥ 1, got ${tries}`);
  const nItems = co.nItems;
  const trees = [co, se] as const;
  const sims = [similarityFn(co), similarityFn(se)] as const;
  // Sibling groups per tree: items keyed by their code without its last digit.
  const groups = trees.map((cb) => {
    const byKey = new Map<string, number[]>();
    const keyOf: (string | undefined)[] = new Array(nItems);
    for (let i = 0; i < nItems; i++) {
      const len = cb.offsets[i + 1]! - cb.offsets[i]!;
      if (len < 2) continue;
      const key = Array.from(cb.paths.subarray(cb.offsets[i]!, cb.offsets[i + 1]! - 1)).join('-');
      keyOf[i] = key;
      let g = byKey.get(key);
      if (g === undefined) byKey.set(key, (g = []));
      g.push(i);
    }
    return { byKey, keyOf };
  });
  // Pools per (tree, positive), built on first use.
  const pools = [new Map<number, Int32Array>(), new Map<number, Int32Array>()] as const;
  const poolOf = (t: 0 | 1, pos: number): Int32Array => {
    let p = pools[t].get(pos);
    if (p !== undefined) return p;
    const key = groups[t]!.keyOf[pos];
    const other = sims[1 - t]!;
    const members = key === undefined ? [] : groups[t]!.byKey.get(key)!;
    p = Int32Array.from(members.filter((j) => j !== pos && other(pos, j) <= otherMax));
    pools[t].set(pos, p);
    return p;
  };
  return {
    name,
    output: 'items',
    sample(request: SampleRequest, rng: Rng): NegativeBatch {
      validateRequest(name, request);
      const { users, positives, k, exclude, model } = request;
      if (model.nItems !== nItems) throw new DtlError('INVALID_ARGUMENT', `${name}: the codebooks cover ${nItems} items, the model ${model.nItems}`);
      const items = new Int32Array(users.length * k);
      fillUniform(name, users, exclude, nItems, k, rng, items);
      if (share === 0) return { kind: 'items', k, items };
      for (let b = 0; b < users.length; b++) {
        const u = users[b]!;
        const lo = exclude.indptr[u]!;
        const hi = exclude.indptr[u + 1]!;
        for (let s = b * k; s < (b + 1) * k; s++) {
          if (rng.next() >= share) continue;
          const pool = poolOf(rng.next() < 0.5 ? 0 : 1, positives[b]!);
          if (pool.length === 0) continue;
          for (let t = 0; t < tries; t++) {
            const j = pool[rng.int(pool.length)]!;
            if (!inRow(exclude.indices, lo, hi, j)) {
              items[s] = j;
              break;
            }
          }
        }
      }
      return { kind: 'items', k, items };
    },
  };
}
