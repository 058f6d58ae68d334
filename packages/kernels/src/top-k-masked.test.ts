import { describe, expect, it } from 'vitest';
import { createRng, csrFromPairs, isDtlError, type Csr } from '@dtl/core';
import { topKMasked } from './top-k-masked.ts';
import { topKFromScores } from './top-k-from-scores.ts';

/** Brute-force oracle: all unmasked items sorted by (score desc, index asc). */
function oracle(users: Float32Array, items: Float32Array, dim: number, userIds: Int32Array, k: number, masks: Csr[]) {
  const nItems = items.length / dim;
  const rows: Array<Array<[number, number]>> = [];
  for (const u of userIds) {
    const masked = new Set<number>();
    for (const m of masks) for (let p = m.indptr[u]!; p < m.indptr[u + 1]!; p++) masked.add(m.indices[p]!);
    const all: Array<[number, number]> = [];
    for (let i = 0; i < nItems; i++) {
      if (masked.has(i)) continue;
      let s = 0;
      for (let d = 0; d < dim; d++) s += users[u * dim + d]! * items[i * dim + d]!;
      all.push([i, s]);
    }
    all.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    rows.push(all.slice(0, k));
  }
  return rows;
}

/** Small integers: dot products are exact in float32, and ties are frequent. */
function intMatrix(rows: number, dim: number, seed: number, range = 3): Float32Array {
  const rng = createRng(seed);
  const m = new Float32Array(rows * dim);
  for (let i = 0; i < m.length; i++) m[i] = rng.int(2 * range + 1) - range;
  return m;
}

function randomMask(nUsers: number, nItems: number, density: number, seed: number): Csr {
  const rng = createRng(seed);
  const r: number[] = [];
  const c: number[] = [];
  for (let u = 0; u < nUsers; u++) for (let i = 0; i < nItems; i++) if (rng.next() < density) { r.push(u); c.push(i); }
  return csrFromPairs(nUsers, nItems, r, c).csr;
}

describe('topKMasked', () => {
  for (const backend of ['wasm', 'js'] as const) {
    for (const [nUsers, nItems, dim] of [[37, 53, 5], [9, 1030, 16], [70, 8, 3], [12, 3001, 2]] as const) {
      it(`matches the brute-force oracle (${backend}, ${nUsers}×${nItems}, dim ${dim}) incl. ties and masks`, () => {
        const users = intMatrix(nUsers, dim, 1 + nItems);
        const items = intMatrix(nItems, dim, 2 + nItems, 1);
        const mask = randomMask(nUsers, nItems, 0.3, 3);
        const exclude = randomMask(nUsers, nItems, 0.1, 4);
        const userIds = Int32Array.from({ length: nUsers }, (_, j) => (j * 7) % nUsers);
        const k = nItems > 2000 ? 50 : 10; // 3001 items × dim 2 in {-1,0,1}: heavy ties at the K-th score
        const res = topKMasked({ users, items, dim, userIds, k, mask, exclude, backend });
        const want = oracle(users, items, dim, userIds, k, [mask, exclude]);
        for (let j = 0; j < userIds.length; j++) {
          const row = want[j]!;
          for (let r = 0; r < k; r++) {
            const e = row[r];
            expect(res.items[j * k + r]).toBe(e ? e[0] : -1);
            expect(res.scores[j * k + r]).toBe(e ? e[1] : -Infinity);
          }
        }
      });
    }
  }

  it('breaks ties by lower item index and pads with -1 / -Infinity when k exceeds the available items', () => {
    // All items score 1 except item 2 (score 2); item 1 is masked.
    const users = new Float32Array([1]);
    const items = new Float32Array([1, 1, 2, 1, 1]);
    const mask = csrFromPairs(1, 5, [0], [1]).csr;
    const res = topKMasked({ users, items, dim: 1, userIds: new Int32Array([0]), k: 6, mask });
    expect([...res.items]).toEqual([2, 0, 3, 4, -1, -1]);
    expect([...res.scores]).toEqual([2, 1, 1, 1, -Infinity, -Infinity]);
  });

  it('wasm and js backends agree on float data up to float32 rounding', () => {
    const rng = createRng(9);
    const dim = 64;
    const users = Float32Array.from({ length: 20 * dim }, () => rng.normal());
    const items = Float32Array.from({ length: 300 * dim }, () => rng.normal());
    const userIds = Int32Array.from({ length: 20 }, (_, j) => j);
    const a = topKMasked({ users, items, dim, userIds, k: 5, backend: 'wasm' });
    const b = topKMasked({ users, items, dim, userIds, k: 5, backend: 'js' });
    for (let j = 0; j < a.scores.length; j++) expect(a.scores[j]).toBeCloseTo(b.scores[j]!, 3);
  });

  it('rejects bad shapes with INVALID_ARGUMENT', () => {
    const users = new Float32Array(6);
    const items = new Float32Array(9);
    const bad = [
      () => topKMasked({ users, items, dim: 4, userIds: new Int32Array([0]), k: 1 }),
      () => topKMasked({ users, items, dim: 3, userIds: new Int32Array([2]), k: 1 }),
      () => topKMasked({ users, items, dim: 3, userIds: new Int32Array([0]), k: 0 }),
      () => topKMasked({ users, items, dim: 3, userIds: new Int32Array([0]), k: 1, mask: csrFromPairs(2, 4, [], []).csr }),
    ];
    for (const f of bad) {
      let error: unknown;
      try {
        f();
      } catch (e) {
        error = e;
      }
      expect(isDtlError(error, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe('topKFromScores', () => {
  it('masks and selects precomputed rows with the same ordering contract', () => {
    const scores = new Float32Array([0.5, 0.9, 0.9, 0.1, /* user 1 */ 3, 2, 1, 0]);
    const mask = csrFromPairs(2, 4, [0, 1], [1, 0]).csr;
    const res = topKFromScores({ scores, nItems: 4, userIds: new Int32Array([0, 1]), k: 3, mask });
    expect([...res.items]).toEqual([2, 0, 3, 1, 2, 3]);
    expect(res.scores[0]).toBeCloseTo(0.9, 6);
  });
});
