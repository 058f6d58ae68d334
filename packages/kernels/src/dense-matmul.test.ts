import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import { createDenseMatmul } from './dense-matmul.ts';

function naive(a: Float32Array, x: Float32Array, n: number, k: number, m: number): Float64Array {
  const y = new Float64Array(n * m);
  for (let r = 0; r < n; r++) for (let t = 0; t < k; t++) for (let c = 0; c < m; c++) y[r * m + c] = y[r * m + c]! + a[r * k + t]! * x[t * m + c]!;
  return y;
}

describe('createDenseMatmul', () => {
  const shapes: Array<[number, number, number]> = [
    [1, 1, 4],
    [3, 5, 8],
    [70, 64, 64],
    [64, 300, 64],
    [5, 7, 3],
  ];
  for (const useArena of [true, false]) {
    it(`matches a naive product for several shapes (${useArena ? 'arena / wasm' : 'plain / JS'})`, () => {
      const mm = createDenseMatmul();
      const plain = useArena ? mm : { ...mm, buffer: (n: number) => new Float32Array(n) };
      const rng = createRng(1);
      for (const [n, k, m] of shapes) {
        const a = plain.buffer(n * k);
        const x = plain.buffer(k * m);
        const y = plain.buffer(n * m).fill(99);
        for (let i = 0; i < a.length; i++) a[i] = rng.next() * 2 - 1;
        for (let i = 0; i < x.length; i++) x[i] = rng.next() * 2 - 1;
        mm.matmul(a, x, y, n, k, m);
        const want = naive(a, x, n, k, m);
        for (let i = 0; i < want.length; i++) expect(Math.abs(y[i]! - want[i]!)).toBeLessThan(1e-4);
      }
    });
  }

  it('uses fewer rows than a buffer holds and rejects short operands', () => {
    const mm = createDenseMatmul();
    const a = mm.buffer(100 * 4);
    const x = mm.buffer(4 * 4);
    const y = mm.buffer(100 * 4);
    a.fill(1);
    x.fill(0.5);
    mm.matmul(a, x, y, 10, 4, 4);
    expect(Array.from(y.subarray(0, 40))).toEqual(new Array(40).fill(2));
    expect(y[40]).toBe(0);
    expect(() => mm.matmul(a, x, y, 101, 4, 4)).toThrow(/need/);
    expect(() => mm.matmul(a, x, y, 1.5, 4, 4)).toThrow(/integer/);
  });
});

describe('DenseMatmul.linear', () => {
  it('computes X·Wᵀ + b in nn.Linear layout, and accumulates', () => {
    const mm = createDenseMatmul();
    const x = mm.buffer(2 * 3);
    x.set([1, 2, 3, -1, 0, 2]);
    const w = mm.buffer(2 * 3);
    w.set([1, 0, 1, 0.5, -1, 2]); // out 0: (1, 0, 1), out 1: (0.5, -1, 2)
    const b = Float32Array.from([10, 20]);
    const y = mm.buffer(2 * 2);
    mm.linear(x, w, b, y, 2, 3, 2);
    expect(Array.from(y)).toEqual([14, 24.5, 11, 23.5]);
    mm.linear(x, w, undefined, y, 2, 3, 2, true);
    expect(Array.from(y)).toEqual([18, 29, 12, 27]);
  });
});
