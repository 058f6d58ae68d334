import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import { describeNegativeSamplerContract } from '@dtl/core/testing';
import { createDnsSampler, createPopularitySampler, createRnsSampler } from './index.ts';
import { rowDot, setup } from './internal/test-helpers.ts';

describeNegativeSamplerContract('dns', () => createDnsSampler());
describeNegativeSamplerContract('dns over popularity candidates', (f) =>
  createDnsSampler({ candidates: 4, candidateSampler: createPopularitySampler({ degrees: f.itemDegrees }) }),
);

describe('dns', () => {
  it('returns the top-scored of its M uniform candidates (pooled inner product)', () => {
    const { f, req } = setup({ nLayers: 3, k: 2 });
    const M = 10;
    // The default candidates are exactly RNS's draws with k·M per pair from the same seed.
    const cands = createRnsSampler().sample({ ...req, k: req.k * M }, createRng(21));
    const batch = createDnsSampler({ candidates: M }).sample(req, createRng(21));
    expect(batch.kind).toBe('items');
    const U = f.model.pooledUsers();
    const I = f.model.pooledItems();
    let notFirst = 0;
    for (let t = 0; t < req.users.length * req.k; t++) {
      const u = req.users[Math.floor(t / req.k)]!;
      let best = -1;
      let bestScore = -Infinity;
      for (let c = 0; c < M; c++) {
        const item = cands.items[t * M + c]!;
        const s = rowDot(U, u, I, item, f.dim);
        if (s > bestScore) {
          bestScore = s;
          best = item;
        }
      }
      expect(batch.items[t]).toBe(best);
      if (best !== cands.items[t * M]) notFirst++;
    }
    expect(notFirst).toBeGreaterThan(0);
  });

  it('validates candidates and the candidate source', () => {
    expect(() => createDnsSampler({ candidates: 0 })).toThrow(/candidates/);
    const mixed = { name: 'm', output: 'mixed' as const, sample: () => { throw new Error('unused'); } };
    expect(() => createDnsSampler({ candidateSampler: mixed })).toThrow(/real items/);
  });
});
