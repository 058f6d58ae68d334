import { describe, expect, it } from 'vitest';
import { createRng, csrFromPairs } from '@dtl/core';
import { drawUniform, fillUniform } from './uniform.ts';

describe('fillUniform', () => {
  it('draws exactly what one drawUniform call per slot draws (same RNG stream), for every draw count', () => {
    const rng = createRng(4);
    const nUsers = 60;
    const nItems = 50;
    const rows: number[] = [];
    const cols: number[] = [];
    for (let u = 0; u < nUsers; u++) {
      // No exclusions, a few, nearly half (many rejections, some 32-try fallbacks), and more than half (complement draw).
      const frac = [0, 0.1, 0.49, 0.9, 0.98][u % 5]!;
      for (let i = 0; i < nItems; i++) {
        if (i !== u % nItems && rng.next() < frac) {
          rows.push(u);
          cols.push(i);
        }
      }
    }
    const exclude = csrFromPairs(nUsers, nItems, rows, cols).csr;
    const users = Int32Array.from({ length: 400 }, () => rng.int(nUsers));
    for (const n of [1, 3, 4, 10, 17]) {
      const out = new Int32Array(users.length * n);
      const r1 = createRng(n);
      fillUniform('t', users, exclude, nItems, n, r1, out);
      const r2 = createRng(n);
      const ref = new Int32Array(users.length * n);
      for (let b = 0; b < users.length; b++) for (let c = 0; c < n; c++) ref[b * n + c] = drawUniform('t', exclude, users[b]!, nItems, r2);
      expect(Array.from(out)).toEqual(Array.from(ref));
      expect(r1.uint32()).toBe(r2.uint32());
      // The marks are cleared: a second call sees no stale exclusions.
      const again = new Int32Array(users.length * n);
      fillUniform('t', users, exclude, nItems, n, createRng(n), again);
      expect(Array.from(again)).toEqual(Array.from(out));
    }
  });

  it('throws NO_VALID_NEGATIVE for a user who excludes everything', () => {
    const exclude = csrFromPairs(2, 3, [1, 1, 1], [0, 1, 2]).csr;
    expect(() => fillUniform('t', Int32Array.of(0, 1), exclude, 3, 5, createRng(1), new Int32Array(10))).toThrow(expect.objectContaining({ code: 'NO_VALID_NEGATIVE' }));
  });
});
