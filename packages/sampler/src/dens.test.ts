import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import type { NegativeBatch } from '@dtl/core';
import { describeNegativeSamplerContract } from '@dtl/core/testing';
import { createDensGates, createDensSampler, createRnsSampler } from './index.ts';
import type { DensGates, DensLinear } from './index.ts';
import { setup } from './internal/test-helpers.ts';

type Mixed = Extract<NegativeBatch, { kind: 'mixed' }>;

describeNegativeSamplerContract('dens', (f) => createDensSampler({ gates: createDensGates(f.dim, createRng(4)) }));

/** y = W x + b, from the definition. */
function linear(g: DensLinear, x: number[]): number[] {
  const dim = x.length;
  return Array.from({ length: dim }, (_, o) => g.bias[o]! + x.reduce((s, xi, i) => s + g.weight[o * dim + i]! * xi, 0));
}
const sig = (z: number): number => 1 / (1 + Math.exp(-z));

describe('dens', () => {
  for (const epoch of [0, 40, 150]) {
    it(`picks per layer the argmax of ⟨e_u, (1 − min(1, epoch/warmup))·e_j − e_j ⊙ gate_j⟩ (epoch ${epoch})`, () => {
      const { f, req: base } = setup({ nLayers: 3, k: 2 });
      const req = { ...base, epoch };
      const N = 6;
      const dim = f.dim;
      // Bigger gate weights than the default init, so gates vary strongly across candidates.
      const gates: DensGates = createDensGates(dim, createRng(8));
      for (const g of [gates.user, gates.item, gates.pos, gates.neg]) for (let i = 0; i < g.weight.length; i++) g.weight[i]! *= 20;
      const cands = createRnsSampler().sample({ ...req, k: req.k * N }, createRng(12));
      let calls = 0;
      const batch = createDensSampler({ gates: () => (calls++, gates), candidates: N, warmup: 100 }).sample(req, createRng(12)) as Mixed;
      expect(calls).toBe(1);
      expect(batch.nSources).toBe(1);
      const w = 1 - Math.min(1, epoch / 100);
      const L = 3;
      for (let t = 0; t < req.users.length * req.k; t++) {
        const b = Math.floor(t / req.k);
        for (let l = 0; l < L; l++) {
          const U = f.model.users[l]!;
          const E = f.model.items[l]!;
          const row = (M: Float32Array, i: number): number[] => Array.from(M.subarray(i * dim, i * dim + dim));
          const eu = row(U, req.users[b]!);
          const ep = row(E, req.positives[b]!);
          const zi = linear(gates.item, ep);
          const zu = linear(gates.user, eu);
          const rp = ep.map((x, d) => x * sig(zi[d]! + zu[d]!));
          const qp = linear(gates.pos, rp);
          const scores = Array.from(cands.items.subarray(t * N, t * N + N)).map((c) => {
            const en = row(E, c);
            const zn = linear(gates.neg, en);
            return en.reduce((s, x, d) => s + eu[d]! * (w * x - x * sig(zn[d]! + qp[d]!)), 0);
          });
          const chosen = batch.items[t * L + l]!;
          const idx = Array.from(cands.items.subarray(t * N, t * N + N)).indexOf(chosen);
          expect(idx).toBeGreaterThanOrEqual(0);
          expect(scores[idx]).toBeGreaterThanOrEqual(Math.max(...scores) - 1e-9);
          expect(batch.weights[t * L + l]).toBe(1);
        }
      }
    });
  }

  it('the warmup changes which candidates are picked', () => {
    const { f, req } = setup({ nLayers: 2, k: 1 });
    const gates = createDensGates(f.dim, createRng(8));
    const early = createDensSampler({ gates }).sample({ ...req, epoch: 0 }, createRng(1));
    const late = createDensSampler({ gates }).sample({ ...req, epoch: 200 }, createRng(1));
    expect(Array.from(early.items)).not.toEqual(Array.from(late.items));
  });

  it('requires gates of the model dimension', () => {
    const { req } = setup({ nLayers: 1, k: 1 });
    expect(() => createDensSampler({ gates: createDensGates(3, createRng(1)) }).sample(req, createRng(1))).toThrow(/3-d/);
  });
});
