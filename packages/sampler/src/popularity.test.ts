import { describe, expect, it } from 'vitest';
import { createRng, csrFromPairs } from '@dtl/core';
import { createFakeModelView, describeNegativeSamplerContract } from '@dtl/core/testing';
import { createPopularitySampler } from './index.ts';
import { chiSquare, chiSquareBound } from './internal/test-helpers.ts';

describeNegativeSamplerContract('pop', (f) => createPopularitySampler({ degrees: f.itemDegrees }));
describeNegativeSamplerContract('pop α=1', (f) => createPopularitySampler({ degrees: f.itemDegrees, alpha: 1 }), {
  layers: [1],
});

describe('pop', () => {
  const nItems = 30;
  const degrees = Array.from({ length: nItems }, (_, i) => (i % 7 === 3 ? 0 : 1 + ((i * 13) % 50)));
  const ex = [2, 5, 11, 12, 29];
  const exclude = csrFromPairs(1, nItems, ex.map(() => 0), ex).csr;
  const model = createFakeModelView({ nUsers: 1, nItems, dim: 4, nLayers: 1, rng: createRng(1) });
  const req = (B: number, k: number) => ({
    users: new Int32Array(B),
    positives: new Int32Array(B).fill(2),
    k,
    exclude,
    model,
    epoch: 0,
  });

  for (const alpha of [0.75, 1, 0]) {
    it(`draws ∝ degree^${alpha} over the non-excluded items`, () => {
      const B = 5000;
      const k = 4;
      const batch = createPopularitySampler({ degrees, alpha }).sample(req(B, k), createRng(3));
      const counts = new Float64Array(nItems);
      for (const i of batch.items) counts[i]!++;
      const w = degrees.map((d, i) => (ex.includes(i) || d === 0 ? 0 : Math.pow(d, alpha)));
      const total = w.reduce((a, b) => a + b, 0);
      const probs = w.map((x) => x / total);
      const df = probs.filter((p) => p > 0).length - 1;
      expect(chiSquare(counts, probs, B * k)).toBeLessThan(chiSquareBound(df));
    });
  }

  it('falls back to the weighted complement, then to uniform, for users excluding most of the mass', () => {
    // Only items 0 and 1 are allowed; item 1 has degree 0, so only item 0 has weight.
    const all = Array.from({ length: nItems - 2 }, (_, i) => i + 2);
    const heavy = csrFromPairs(1, nItems, all.map(() => 0), all).csr;
    const deg = Array.from({ length: nItems }, (_, i) => (i === 1 ? 0 : 100));
    const batch = createPopularitySampler({ degrees: deg }).sample({ ...req(200, 1), exclude: heavy }, createRng(4));
    expect(new Set(batch.items)).toEqual(new Set([0]));
    // Only item 1 (degree 0) is allowed: uniform fallback over the complement instead of failing.
    const only1 = csrFromPairs(1, nItems, Array(nItems - 1).fill(0), [0, ...all]).csr;
    const b2 = createPopularitySampler({ degrees: deg }).sample({ ...req(50, 1), exclude: only1 }, createRng(4));
    expect(new Set(b2.items)).toEqual(new Set([1]));
  });

  it('validates its options', () => {
    expect(() => createPopularitySampler({ degrees: [1, -1] })).toThrow(/degree/);
    expect(() => createPopularitySampler({ degrees: [1, 2], alpha: Number.NaN })).toThrow(/alpha/);
    const s = createPopularitySampler({ degrees: [1, 2, 3] });
    expect(() => s.sample(req(1, 1), createRng(1))).toThrow(/3 degrees/);
  });
});
