import { describe, expect, it } from 'vitest';
import { createRng, csrFromPairs } from '@dtl/core';
import { createFakeModelView, describeNegativeSamplerContract } from '@dtl/core/testing';
import { createRnsSampler } from './index.ts';
import { chiSquare, chiSquareBound } from './internal/test-helpers.ts';

describeNegativeSamplerContract('rns', () => createRnsSampler());

describe('rns', () => {
  const nItems = 40;
  // User 0 excludes 5 items (rejection path), user 1 excludes 31 (complement-enumeration path).
  const ex0 = [0, 3, 7, 19, 39];
  const ex1 = Array.from({ length: 31 }, (_, i) => i + 4);
  const exclude = csrFromPairs(2, nItems, [...ex0.map(() => 0), ...ex1.map(() => 1)], [...ex0, ...ex1]).csr;
  const model = createFakeModelView({ nUsers: 2, nItems, dim: 4, nLayers: 1, rng: createRng(1) });

  for (const [u, ex] of [[0, ex0], [1, ex1]] as const) {
    it(`covers user ${u}'s complement uniformly (${ex.length} of ${nItems} excluded)`, () => {
      const B = 4000;
      const k = 5;
      const req = { users: new Int32Array(B).fill(u), positives: new Int32Array(B).fill(ex[0]!), k, exclude, model, epoch: 0 };
      const batch = createRnsSampler().sample(req, createRng(7));
      expect(batch.kind).toBe('items');
      const counts = new Float64Array(nItems);
      for (const i of batch.items) counts[i]!++;
      const probs = new Float64Array(nItems);
      for (let i = 0; i < nItems; i++) probs[i] = ex.includes(i as never) ? 0 : 1 / (nItems - ex.length);
      for (const i of ex) expect(counts[i]).toBe(0);
      const x2 = chiSquare(counts, probs, B * k);
      expect(x2).toBeLessThan(chiSquareBound(nItems - ex.length - 1));
      for (let i = 0; i < nItems; i++) if (probs[i]! > 0) expect(counts[i]).toBeGreaterThan(0);
    });
  }

  it('rejection with long exclude rows (binary-search membership) stays exact', () => {
    const n = 200;
    const ex = Array.from({ length: 60 }, (_, i) => i * 3 + 1);
    const exc = csrFromPairs(1, n, ex.map(() => 0), ex).csr;
    const m = createFakeModelView({ nUsers: 1, nItems: n, dim: 2, nLayers: 1, rng: createRng(2) });
    const B = 20000;
    const batch = createRnsSampler().sample(
      { users: new Int32Array(B), positives: new Int32Array(B).fill(1), k: 2, exclude: exc, model: m, epoch: 0 },
      createRng(9),
    );
    const counts = new Float64Array(n);
    for (const i of batch.items) counts[i]!++;
    const probs = Array.from({ length: n }, (_, i) => (ex.includes(i) ? 0 : 1 / (n - ex.length)));
    expect(chiSquare(counts, probs, B * 2)).toBeLessThan(chiSquareBound(n - ex.length - 1));
  });
});
