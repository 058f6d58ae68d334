import { describe, expect, it } from 'vitest';
import { createRng, csrFromPairs, isDtlError, type Csr } from '@dtl/core';
import { createWorkerPool } from '@dtl/kernels';
import { evaluateRanking } from './evaluate-ranking.ts';

const g = (rank1: number): number => 1 / Math.log2(rank1 + 1);

function csr(nRows: number, nCols: number, rows: Record<number, number[]>): Csr {
  const r: number[] = [];
  const c: number[] = [];
  for (const [u, items] of Object.entries(rows)) for (const i of items) { r.push(Number(u)); c.push(i); }
  return csrFromPairs(nRows, nCols, r, c).csr;
}

/** A scorer over a fixed users × items score table. */
const tableScorer = (table: number[][]) => (ids: Int32Array, out: Float32Array) => {
  const n = table[0]!.length;
  ids.forEach((u, j) => table[u]!.forEach((s, i) => (out[j * n + i] = s)));
};

describe('evaluateRanking (hand-computed)', () => {
  it('keeps a masked relevant item in the denominator, breaks ties by item index, skips users with no relevant item', async () => {
    const scores = [
      [0.9, 0.8, 0.7, 0.6], // user 0: item 0 masked -> ranking 1, 2, 3
      [0.5, 0.5, 0.5, 0.1], // user 1 (no relevant items)
      [0.5, 0.5, 0.5, 0.1], // user 2: tie among 0, 1, 2 -> ranking 0, 1, 2, 3
    ];
    const mask = csr(3, 4, { 0: [0] });
    const relevant = csr(3, 4, { 0: [0, 2], 2: [1] });
    const res = await evaluateRanking({ scorer: tableScorer(scores), mask, relevant, ks: [1, 2], perUser: true });
    expect(res.users).toBe(2);
    // user 0 @2: hit at rank 2 (item 2), |relevant| = 2 (masked item 0 included). user 2 @2: hit at rank 2.
    const u0 = { recall: 1 / 2, ndcg: g(2) / (g(1) + g(2)), precision: 1 / 2, hit: 1, mrr: 1 / 2 };
    const u2 = { recall: 1, ndcg: g(2) / g(1), precision: 1 / 2, hit: 1, mrr: 1 / 2 };
    for (const [name, v0] of Object.entries(u0)) {
      expect(res.metrics[`${name}@2`]).toBeCloseTo((v0 + u2[name as keyof typeof u2]) / 2, 12);
      expect(res.metrics[`${name}@1`]).toBe(0); // rank 1 is item 1 (user 0) and item 0 (user 2)
    }
    expect([...res.perUser!.userIds]).toEqual([0, 2]);
    expect([...res.perUser!.values['recall@2']!]).toEqual([0.5, 1]);
  });

  it('K larger than the item count pads the ranking', async () => {
    const res = await evaluateRanking({
      scorer: tableScorer([[0.1, 0.3, 0.2]]),
      relevant: csr(1, 3, { 0: [0] }),
      ks: [5],
    });
    expect(res.metrics['recall@5']).toBe(1);
    expect(res.metrics['precision@5']).toBe(1 / 5);
    expect(res.metrics['mrr@5']).toBeCloseTo(1 / 3, 12);
    expect(res.metrics['ndcg@5']).toBe(0.5);
  });

  it('rejects bad input with INVALID_ARGUMENT', async () => {
    const relevant = csr(1, 3, { 0: [0] });
    for (const opts of [{ ks: [0] }, {}, { mask: csr(1, 4, {}) }]) {
      const error = await evaluateRanking({ relevant, ...opts }).catch((e: unknown) => e);
      expect(isDtlError(error, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe('evaluateRanking on random data', () => {
  const rng = createRng(2024);
  const nUsers = 140;
  const nItems = 230;
  const dim = 16;
  const users = { rows: nUsers, dim, data: Float32Array.from({ length: nUsers * dim }, () => rng.normal()) };
  const items = { rows: nItems, dim, data: Float32Array.from({ length: nItems * dim }, () => rng.normal()) };
  const train: Record<number, number[]> = {};
  const test: Record<number, number[]> = {};
  for (let u = 0; u < nUsers; u++) {
    train[u] = Array.from({ length: 1 + rng.int(30) }, () => rng.int(nItems));
    if (u % 7 !== 3) test[u] = Array.from({ length: 1 + rng.int(8) }, () => rng.int(nItems));
  }
  const mask = csr(nUsers, nItems, train);
  const relevant = csr(nUsers, nItems, test);
  const ks = [5, 20, 300];

  it('matches a brute-force reference implementation', async () => {
    const res = await evaluateRanking({ users, items, mask, relevant, ks, backend: 'js' });
    const sums: Record<string, number> = {};
    let n = 0;
    for (let u = 0; u < nUsers; u++) {
      const rel = new Set(test[u] ?? []);
      if (rel.size === 0) continue;
      n++;
      const trainSet = new Set(train[u]);
      const ranked: Array<[number, number]> = [];
      for (let i = 0; i < nItems; i++) {
        if (trainSet.has(i)) continue;
        let s = 0;
        for (let d = 0; d < dim; d++) s += users.data[u * dim + d]! * items.data[i * dim + d]!;
        ranked.push([i, Math.fround(s)]);
      }
      ranked.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      for (const k of ks) {
        const top = ranked.slice(0, k).map((e) => e[0]);
        const hitRanks = top.flatMap((item, r) => (rel.has(item) ? [r + 1] : []));
        let idcg = 0;
        for (let r = 1; r <= Math.min(rel.size, k); r++) idcg += g(r);
        const add = (key: string, v: number) => (sums[`${key}@${k}`] = (sums[`${key}@${k}`] ?? 0) + v);
        add('recall', hitRanks.length / rel.size);
        add('precision', hitRanks.length / k);
        add('hit', hitRanks.length > 0 ? 1 : 0);
        add('mrr', hitRanks.length > 0 ? 1 / hitRanks[0]! : 0);
        add('ndcg', hitRanks.reduce((a, r) => a + g(r), 0) / idcg);
      }
    }
    expect(res.users).toBe(n);
    expect(Object.keys(res.metrics).sort()).toEqual(Object.keys(sums).sort());
    for (const [key, sum] of Object.entries(sums)) expect(res.metrics[key]).toBeCloseTo(sum / n, 12);
  });

  it('the pool path gives exactly the numbers of the single-thread path', async () => {
    const single = await evaluateRanking({ users, items, mask, relevant, ks, perUser: true });
    const viaWorkers = await evaluateRanking({ users, items, mask, relevant, ks, perUser: true, workers: 2 });
    const pool = createWorkerPool({ size: 2 });
    try {
      const viaPool = await evaluateRanking({ users, items, mask, relevant, ks, pool });
      expect(viaPool.metrics).toEqual(single.metrics);
    } finally {
      await pool.close();
    }
    expect(viaWorkers.metrics).toEqual(single.metrics);
    expect(viaWorkers.users).toBe(single.users);
    for (const [key, col] of Object.entries(single.perUser!.values)) expect([...viaWorkers.perUser!.values[key]!]).toEqual([...col]);
    const direct = await evaluateRanking({ users, items, mask, relevant, ks });
    expect(direct.metrics).toEqual(single.metrics);
  });

  it('a scorer computing the same dot products gives exactly the embedding (js) numbers', async () => {
    const scorer = (ids: Int32Array, out: Float32Array) => {
      ids.forEach((u, j) => {
        for (let i = 0; i < nItems; i++) {
          let s = 0;
          for (let d = 0; d < dim; d++) s += users.data[u * dim + d]! * items.data[i * dim + d]!;
          out[j * nItems + i] = s;
        }
      });
    };
    const a = await evaluateRanking({ users, items, mask, relevant, ks, backend: 'js' });
    const b = await evaluateRanking({ scorer, mask, relevant, ks, batchSize: 17 });
    expect(b.metrics).toEqual(a.metrics);
  });
});
