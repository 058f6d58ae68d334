import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import { describeNegativeSamplerContract } from '@dtl/core/testing';
import { createDnsMnSampler, createDnsSampler, createRnsSampler } from './index.ts';
import { rowDot, setup } from './internal/test-helpers.ts';

describeNegativeSamplerContract('dnsmn', () => createDnsMnSampler());

describe('dnsmn', () => {
  it('picks only among the top-N of its M candidates, each rank about equally often', () => {
    const { f, req } = setup({ nLayers: 2, k: 3, reps: 20 });
    const M = 10;
    const N = 5;
    const cands = createRnsSampler().sample({ ...req, k: req.k * M }, createRng(8));
    const batch = createDnsMnSampler({ candidates: M, topN: N }).sample(req, createRng(8));
    const U = f.model.pooledUsers();
    const I = f.model.pooledItems();
    const rankCounts = new Array<number>(M).fill(0);
    const T = req.users.length * req.k;
    for (let t = 0; t < T; t++) {
      const u = req.users[Math.floor(t / req.k)]!;
      const scores = Array.from({ length: M }, (_, c) => rowDot(U, u, I, cands.items[t * M + c]!, f.dim));
      const order = scores.map((s, c) => [s, c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      const chosen = batch.items[t]!;
      const rank = order.findIndex(([, c]) => cands.items[t * M + c] === chosen);
      expect(rank).toBeGreaterThanOrEqual(0);
      expect(rank).toBeLessThan(N);
      rankCounts[rank]!++;
    }
    for (let r = 0; r < N; r++) {
      expect(rankCounts[r]! / T).toBeGreaterThan(0.5 / N);
      expect(rankCounts[r]! / T).toBeLessThan(1.5 / N);
    }
  });

  it('with N = 1 picks what DNS picks', () => {
    const { req } = setup({ nLayers: 1, k: 2 });
    const a = createDnsMnSampler({ candidates: 7, topN: 1 }).sample(req, createRng(4));
    const b = createDnsSampler({ candidates: 7 }).sample(req, createRng(4));
    // Same candidates; DNS(M,1) also draws the uniform index (always 0), so compare picks only.
    expect(Array.from(a.items)).toEqual(Array.from(b.items));
  });

  it('rejects topN > candidates', () => {
    expect(() => createDnsMnSampler({ candidates: 3, topN: 4 })).toThrow(/topN/);
  });
});
