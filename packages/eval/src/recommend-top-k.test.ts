import { describe, expect, it } from 'vitest';
import { createRng, csrFromPairs, csrHas, isDtlError } from '@dtl/core';
import type { Csr, DenseMatrix } from '@dtl/core';
import { evaluateRanking } from './evaluate-ranking.ts';
import { recommendPopular } from './recommend-popular.ts';
import { recommendTopK } from './recommend-top-k.ts';

/** Small integer embeddings: dot products are exact in float32 and ties are frequent. */
function matrix(rows: number, dim: number, seed: number): DenseMatrix {
  const rng = createRng(seed);
  return { rows, dim, data: Float32Array.from({ length: rows * dim }, () => rng.int(3) - 1) };
}

function randomCsr(nRows: number, nCols: number, perRow: number, seed: number): Csr {
  const rng = createRng(seed);
  const r: number[] = [];
  const c: number[] = [];
  for (let u = 0; u < nRows; u++) for (let k = 0; k < perRow; k++) (r.push(u), c.push(rng.int(nCols)));
  return csrFromPairs(nRows, nCols, r, c).csr;
}

describe('recommendTopK', () => {
  const users = matrix(40, 3, 1);
  const items = matrix(30, 3, 2);
  const mask = randomCsr(40, 30, 6, 3);

  it('matches a brute-force ranking (score desc, ties by lower item index), never returns a masked item', async () => {
    const rec = await recommendTopK({ users, items, mask, k: 8 });
    expect(rec.userIds.length).toBe(40);
    for (let u = 0; u < 40; u++) {
      const scored: Array<[number, number]> = [];
      for (let i = 0; i < 30; i++) {
        if (csrHas(mask, u, i)) continue;
        let s = 0;
        for (let d = 0; d < 3; d++) s += users.data[u * 3 + d]! * items.data[i * 3 + d]!;
        scored.push([i, s]);
      }
      scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      expect([...rec.items.subarray(u * 8, u * 8 + 8)]).toEqual(scored.slice(0, 8).map((x) => x[0]));
      expect([...rec.scores.subarray(u * 8, u * 8 + 8)]).toEqual(scored.slice(0, 8).map((x) => x[1]));
    }
  });

  it('gives the lists evaluateRanking scores: Recall@5 recomputed from them is its Recall@5', async () => {
    const relevant = randomCsr(40, 30, 3, 4);
    const ev = await evaluateRanking({ users, items, mask, relevant, ks: [5] });
    const rec = await recommendTopK({ users, items, mask, k: 5 });
    let sum = 0;
    let n = 0;
    for (let u = 0; u < 40; u++) {
      const rel = new Set(relevant.indices.subarray(relevant.indptr[u]!, relevant.indptr[u + 1]!));
      if (rel.size === 0) continue;
      let hits = 0;
      for (const i of rec.items.subarray(u * 5, u * 5 + 5)) if (rel.has(i)) hits++;
      sum += hits / rel.size;
      n++;
    }
    expect(sum / n).toBe(ev.metrics['recall@5']);
  });

  it('ranks a subset of users, pads with -1, and the 2-worker path returns the same rows', async () => {
    const sub = Int32Array.from([7, 0, 39]);
    const one = await recommendTopK({ users, items, mask, userIds: sub, k: 30 });
    expect([...one.userIds]).toEqual([7, 0, 39]);
    expect(one.items[one.items.length - 1]).toBe(-1);
    expect(one.scores[one.scores.length - 1]).toBe(-Infinity);
    const all1 = await recommendTopK({ users, items, mask, k: 10 });
    const all2 = await recommendTopK({ users, items, mask, k: 10, workers: 2 });
    expect([...all2.items]).toEqual([...all1.items]);
  });

  it('rejects bad k, users outside the matrix and a mask of another shape', async () => {
    for (const bad of [{ k: 0 }, { userIds: Int32Array.from([40]) }, { mask: randomCsr(39, 30, 1, 5) }]) {
      await expect(recommendTopK({ users, items, ...bad })).rejects.toSatisfy((e: unknown) => isDtlError(e, 'INVALID_ARGUMENT'));
    }
  });
});

describe('recommendPopular', () => {
  it('orders items by training count, ties by lower index', () => {
    const train = csrFromPairs(3, 5, [0, 1, 2, 0, 1, 2], [4, 4, 4, 1, 3, 3]).csr;
    const pop = recommendPopular(train, 4);
    expect([...pop.items]).toEqual([4, 3, 1, 0]);
    expect([...pop.counts]).toEqual([3, 2, 1, 0]);
  });
});
