import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import type { NegativeBatch } from '@dtl/core';
import { describeNegativeSamplerContract } from '@dtl/core/testing';
import { createMixGcfSampler, createRnsSampler } from './index.ts';
import { setup } from './internal/test-helpers.ts';

describeNegativeSamplerContract('mixgcf', () => createMixGcfSampler());
describeNegativeSamplerContract('mixgcf (layer users)', () => createMixGcfSampler({ userView: 'layer', candidates: 4 }), {
  ks: [2],
});

type Mixed = Extract<NegativeBatch, { kind: 'mixed' }>;

describe('mixgcf', () => {
  for (const [nLayers, userView] of [[3, 'pooled'], [3, 'layer'], [1, 'pooled']] as const) {
    it(`a negative is the mixture of the positive and the per-layer argmax candidate (${nLayers} layers, ${userView} user)`, () => {
      const { f, req } = setup({ nLayers, k: 2 });
      const N = 8;
      const dim = f.dim;
      const cands = createRnsSampler().sample({ ...req, k: req.k * N }, createRng(31));
      const batch = createMixGcfSampler({ candidates: N, userView }).sample(req, createRng(31)) as Mixed;
      expect(batch.kind).toBe('mixed');
      expect(batch.nSources).toBe(2);
      const L = nLayers;
      let hopDiffers = 0;
      let alphaSum = 0;
      for (let t = 0; t < req.users.length * req.k; t++) {
        const b = Math.floor(t / req.k);
        const u = req.users[b]!;
        const pos = req.positives[b]!;
        const block = Array.from(cands.items.subarray(t * N, t * N + N));
        const chosenPerLayer = new Set<number>();
        for (let l = 0; l < L; l++) {
          const uvec = userView === 'pooled' ? f.model.pooledUsers() : f.model.users[l]!;
          const E = f.model.items[l]!;
          const o = (t * L + l) * 2;
          expect(batch.items[o]).toBe(pos);
          const a = batch.weights[o]!;
          alphaSum += a;
          expect(a).toBeGreaterThanOrEqual(0);
          expect(a).toBeLessThan(1);
          expect(batch.weights[o + 1]).toBeCloseTo(1 - a, 6);
          // The synthetic negative, rebuilt from the batch: Σ_s w_s · e_{item_s, l}.
          const neg = new Float64Array(dim);
          for (let s = 0; s < 2; s++) {
            for (let d = 0; d < dim; d++) neg[d] = neg[d]! + batch.weights[o + s]! * E[batch.items[o + s]! * dim + d]!;
          }
          // Independently: the best positive-mixed candidate by ⟨u, a·e⁺ + (1−a)·e_c⟩.
          let bestItem = -1;
          let bestScore = -Infinity;
          let bestVec: number[] = [];
          for (const c of block) {
            const mixed = Array.from({ length: dim }, (_, d) => a * E[pos * dim + d]! + (1 - a) * E[c * dim + d]!);
            const s = mixed.reduce((acc, x, d) => acc + x * uvec[u * dim + d]!, 0);
            if (s > bestScore) {
              bestScore = s;
              bestItem = c;
              bestVec = mixed;
            }
          }
          expect(batch.items[o + 1]).toBe(bestItem);
          for (let d = 0; d < dim; d++) expect(neg[d]).toBeCloseTo(bestVec[d]!, 6);
          chosenPerLayer.add(bestItem);
        }
        expect(Array.from(chosenPerLayer)).toContain(batch.picked[t]);
        if (chosenPerLayer.size > 1) hopDiffers++;
      }
      const T = req.users.length * req.k;
      expect(alphaSum / (T * L)).toBeGreaterThan(0.45);
      expect(alphaSum / (T * L)).toBeLessThan(0.55);
      if (L > 1) expect(hopDiffers).toBeGreaterThan(0);
    });
  }

  it('draws a fresh mixing coefficient per pair, negative and layer', () => {
    const { req } = setup({ nLayers: 3, k: 2 });
    const batch = createMixGcfSampler().sample(req, createRng(1)) as Mixed;
    const firstLayerAlphas = new Set<number>();
    let sameAcrossLayers = 0;
    for (let t = 0; t < req.users.length * req.k; t++) {
      const a0 = batch.weights[(t * 3) * 2]!;
      firstLayerAlphas.add(a0);
      if (a0 === batch.weights[(t * 3 + 1) * 2] && a0 === batch.weights[(t * 3 + 2) * 2]) sameAcrossLayers++;
    }
    expect(firstLayerAlphas.size).toBe(req.users.length * req.k);
    expect(sameAcrossLayers).toBe(0);
  });
});
