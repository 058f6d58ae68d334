import { describe, expect, it } from 'vitest';
import { codebookFromPaths, createRng } from '@dtl/core';
import type { Codebook, DualCodebook, NegativeBatch, Rng } from '@dtl/core';
import { describeNegativeSamplerContract } from '@dtl/core/testing';
import { createDtlSampler, createMixGcfSampler, createPopularitySampler, createRnsSampler } from './index.ts';
import { rowDot, setup } from './internal/test-helpers.ts';

type Mixed = Extract<NegativeBatch, { kind: 'mixed' }>;

/** Random tree codes: depth 2–4, 2 children per node, so similarities take several values. */
function randomCodes(nItems: number, rng: Rng): DualCodebook {
  const paths = (): number[][] =>
    Array.from({ length: nItems }, () => Array.from({ length: 2 + rng.int(3) }, () => rng.int(2)));
  return { co: codebookFromPaths(paths()), se: codebookFromPaths(paths()) };
}

/** LCP over the shorter length, written from the definition (method.md §5). */
function sim(cb: Codebook, a: number, b: number): number {
  const pa = Array.from(cb.paths.subarray(cb.offsets[a]!, cb.offsets[a + 1]!));
  const pb = Array.from(cb.paths.subarray(cb.offsets[b]!, cb.offsets[b + 1]!));
  const n = Math.min(pa.length, pb.length);
  let lcp = 0;
  while (lcp < n && pa[lcp] === pb[lcp]) lcp++;
  return n === 0 ? 0 : lcp / n;
}

describeNegativeSamplerContract('dtl', (f) => createDtlSampler({ codes: randomCodes(f.nItems, createRng(9)) }));
describeNegativeSamplerContract('dtl without mixing', (f) =>
  createDtlSampler({ codes: randomCodes(f.nItems, createRng(9)), mixing: false }),
);
describeNegativeSamplerContract('dtl over popularity candidates, se tree only', (f) =>
  createDtlSampler({
    codes: { se: randomCodes(f.nItems, createRng(9)).se },
    candidateSampler: createPopularitySampler({ degrees: f.itemDegrees }),
  }),
  { ks: [2] },
);

describe('dtl', () => {
  for (const [nLayers, alphaCo, alphaSe] of [[3, 0.1, 0.3], [1, 0.1, 0.3], [3, 1, 0.5]] as const) {
    it(`picks, per layer, the argmax of min–max(⟨ū, e'⟩) + α_co·sim_co + α_se·sim_se (${nLayers} layers, α ${alphaCo}/${alphaSe})`, () => {
      const { f, req } = setup({ nLayers, k: 2 });
      const N = 10;
      const dim = f.dim;
      const codes = randomCodes(f.nItems, createRng(5));
      const cands = createRnsSampler().sample({ ...req, k: req.k * N }, createRng(17));
      const batch = createDtlSampler({ codes, candidates: N, alphaCo, alphaSe }).sample(req, createRng(17)) as Mixed;
      const mix = createMixGcfSampler({ candidates: N }).sample(req, createRng(17)) as Mixed;
      expect(batch.kind).toBe('mixed');
      const U = f.model.pooledUsers();
      let differsFromMixGcf = 0;
      for (let t = 0; t < req.users.length * req.k; t++) {
        const b = Math.floor(t / req.k);
        const u = req.users[b]!;
        const pos = req.positives[b]!;
        const block = Array.from(cands.items.subarray(t * N, t * N + N));
        for (let l = 0; l < nLayers; l++) {
          const E = f.model.items[l]!;
          const o = (t * nLayers + l) * 2;
          const a = batch.weights[o]!;
          expect(batch.items[o]).toBe(pos);
          const raw = block.map((c) => {
            let s = 0;
            for (let d = 0; d < dim; d++) s += U[u * dim + d]! * (a * E[pos * dim + d]! + (1 - a) * E[c * dim + d]!);
            return s;
          });
          const lo = Math.min(...raw);
          const hi = Math.max(...raw);
          const total = block.map(
            (c, i) => (raw[i]! - lo) / (hi - lo) + alphaCo * sim(codes.co, pos, c) + alphaSe * sim(codes.se, pos, c),
          );
          const bestIdx = total.indexOf(Math.max(...total));
          const chosen = batch.items[o + 1]!;
          expect(block).toContain(chosen);
          // Robust to float ties: the chosen candidate's recomputed score is the maximum.
          expect(total[block.indexOf(chosen)]).toBeGreaterThanOrEqual(total[bestIdx]! - 1e-9);
          if (chosen !== mix.items[o + 1]) differsFromMixGcf++;
        }
      }
      expect(differsFromMixGcf).toBeGreaterThan(0);
    });
  }

  it('without codes it picks exactly what MixGCF picks (the ablation baseline)', () => {
    const { req } = setup({ nLayers: 3, k: 2 });
    const a = createDtlSampler({ candidates: 6 }).sample(req, createRng(3)) as Mixed;
    const b = createMixGcfSampler({ candidates: 6 }).sample(req, createRng(3)) as Mixed;
    expect(Array.from(a.items)).toEqual(Array.from(b.items));
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(Array.from(a.picked)).toEqual(Array.from(b.picked));
  });

  it('without mixing returns real items: argmax of min–max(⟨ū, ī_j⟩) + code views', () => {
    const { f, req } = setup({ nLayers: 3, k: 1 });
    const N = 10;
    const codes = randomCodes(f.nItems, createRng(6));
    const cands = createRnsSampler().sample({ ...req, k: N }, createRng(2));
    const batch = createDtlSampler({ codes, candidates: N, mixing: false }).sample(req, createRng(2));
    expect(batch.kind).toBe('items');
    const U = f.model.pooledUsers();
    const I = f.model.pooledItems();
    for (let b = 0; b < req.users.length; b++) {
      const block = Array.from(cands.items.subarray(b * N, b * N + N));
      const raw = block.map((c) => rowDot(U, req.users[b]!, I, c, f.dim));
      const lo = Math.min(...raw);
      const hi = Math.max(...raw);
      const pos = req.positives[b]!;
      const total = block.map((c, i) => (raw[i]! - lo) / (hi - lo) + 0.1 * sim(codes.co, pos, c) + 0.3 * sim(codes.se, pos, c));
      expect(total[block.indexOf(batch.items[b]!)]).toBeGreaterThanOrEqual(Math.max(...total) - 1e-9);
    }
  });

  it('takes candidates from a wrapped sampler', () => {
    const { f, req } = setup({ nLayers: 2, k: 2 });
    // Only items 0..4 have a degree; none is excluded for the users below.
    const degrees = Array.from({ length: f.nItems }, (_, i) => (i < 5 ? 10 : 0));
    const users: number[] = [];
    const positives: number[] = [];
    for (let b = 0; b < req.users.length; b++) {
      const u = req.users[b]!;
      let free = true;
      for (let i = 0; i < 5; i++) if (f.exclude.indices.subarray(f.exclude.indptr[u]!, f.exclude.indptr[u + 1]!).includes(i)) free = false;
      if (free) {
        users.push(u);
        positives.push(req.positives[b]!);
      }
    }
    expect(users.length).toBeGreaterThan(10);
    const sub = { ...req, users: Int32Array.from(users), positives: Int32Array.from(positives) };
    const sampler = createDtlSampler({ candidateSampler: createPopularitySampler({ degrees }) });
    const batch = sampler.sample(sub, createRng(1)) as Mixed;
    for (let s = 1; s < batch.items.length; s += 2) expect(batch.items[s]).toBeLessThan(5);
  });

  it('validates codebooks and weights', () => {
    expect(() => createDtlSampler({ alphaCo: 0.1 })).toThrow(/no co codebook/);
    expect(() => createDtlSampler({ alphaSe: 0.2 })).toThrow(/no se codebook/);
    const { req } = setup({ nLayers: 1, k: 1 });
    const small = randomCodes(3, createRng(1));
    expect(() => createDtlSampler({ codes: small }).sample(req, createRng(1))).toThrow(/covers 3 items/);
  });
});
