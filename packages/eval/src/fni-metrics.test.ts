import { describe, expect, it } from 'vitest';
import { createRng, csrFromPairs } from '@dtl/core';
import { fniMetrics } from './fni-metrics.ts';

describe('fniMetrics', () => {
  it('counts flagged candidates against held-out positives', () => {
    // user 0: candidates 1 2 3 (held-out 2, 3); user 1: candidates 4 5 -1 (held-out 9, not a candidate).
    const candidates = { k: 3, users: Int32Array.of(0, 1), items: Int32Array.of(1, 2, 3, 4, 5, -1) };
    const labels = Int8Array.of(1, 1, 0, 1, -1, -1);
    const heldOut = csrFromPairs(2, 10, [0, 0, 1], [2, 3, 9]).csr;
    const m = fniMetrics({ candidates, labels, heldOut });
    expect(m).toMatchObject({ users: 2, candidates: 5, labeled: 4, positives: 3, heldOutInCandidates: 2, truePositives: 1 });
    expect(m.positiveRate).toBeCloseTo(3 / 5, 12);
    expect(m.precision).toBeCloseTo(1 / 3, 12);
    expect(m.recall).toBeCloseTo(1 / 2, 12);
    expect(m.f1).toBeCloseTo(0.4, 12);
    expect(m.baseRate).toBeCloseTo(2 / 5, 12);
    expect(m.lift).toBeCloseTo(1 / 3 / (2 / 5), 12);
  });

  it('recovers planted preferences exactly when the judge flags exactly them, and the base rate when it flags all', () => {
    const rng = createRng(9);
    const nUsers = 50;
    const nItems = 200;
    const k = 20;
    const users = Int32Array.from({ length: nUsers }, (_, u) => u);
    const items = new Int32Array(nUsers * k);
    const rows: number[] = [];
    const cols: number[] = [];
    const oracle = new Int8Array(nUsers * k);
    for (let u = 0; u < nUsers; u++) {
      for (let j = 0; j < k; j++) {
        const item = (u * 13 + j * 7) % nItems;
        items[u * k + j] = item;
        if (rng.next() < 0.3) {
          rows.push(u);
          cols.push(item);
          oracle[u * k + j] = 1;
        }
      }
    }
    const heldOut = csrFromPairs(nUsers, nItems, rows, cols).csr;
    const exact = fniMetrics({ candidates: { k, users, items }, labels: oracle, heldOut });
    expect(exact.precision).toBe(1);
    expect(exact.recall).toBe(1);
    expect(exact.truePositives).toBe(rows.length);
    const all = fniMetrics({ candidates: { k, users, items }, labels: new Int8Array(nUsers * k).fill(1), heldOut });
    expect(all.recall).toBe(1);
    expect(all.precision).toBeCloseTo(all.baseRate, 12);
    expect(all.lift).toBeCloseTo(1, 12);
    const none = fniMetrics({ candidates: { k, users, items }, labels: new Int8Array(nUsers * k), heldOut });
    expect(none.positives).toBe(0);
    expect(Number.isNaN(none.precision)).toBe(true);
    expect(none.recall).toBe(0);
  });

  it('validates shapes', () => {
    const heldOut = csrFromPairs(1, 3, [], []).csr;
    expect(() => fniMetrics({ candidates: { k: 2, users: Int32Array.of(0), items: Int32Array.of(1, 2) }, labels: new Int8Array(3), heldOut })).toThrow(/labels/);
    expect(() => fniMetrics({ candidates: { k: 1, users: Int32Array.of(4), items: Int32Array.of(1) }, labels: new Int8Array(1), heldOut })).toThrow(/outside/);
  });
});
