import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import type { WeightedCsr } from '@dtl/core';
import { createSyncTeam } from './sync-team.ts';
import { spmm } from './spmm.ts';
import { adamDenseRange } from './adam.ts';

function sharedF32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(n * 4));
}

function randomCsr(n: number, perRow: number, seed: number): WeightedCsr {
  const rng = createRng(seed);
  const indptr = new Int32Array(new SharedArrayBuffer((n + 1) * 4));
  const cols: number[] = [];
  for (let r = 0; r < n; r++) {
    const d = rng.int(perRow * 2);
    for (let k = 0; k < d; k++) cols.push(rng.int(n));
    indptr[r + 1] = cols.length;
  }
  const indices = new Int32Array(new SharedArrayBuffer(Math.max(4, cols.length * 4)));
  indices.set(cols);
  const values = sharedF32(Math.max(1, cols.length));
  for (let k = 0; k < cols.length; k++) values[k] = rng.next() - 0.5;
  return { nRows: n, nCols: n, indptr, indices, values };
}

describe('createSyncTeam', () => {
  const team = createSyncTeam({ threads: 2 });
  afterAll(() => team.close());

  it('computes spmm identically to the single-thread kernel, for several dims', () => {
    for (const dim of [64, 13]) {
      const a = randomCsr(500, 6, dim);
      const x = sharedF32(500 * dim);
      const rng = createRng(1);
      for (let i = 0; i < x.length; i++) x[i] = rng.normal();
      const ySingle = sharedF32(500 * dim);
      const yTeam = sharedF32(500 * dim);
      spmm(a, x, ySingle, dim);
      team.spmm(a, x, yTeam, dim);
      expect(Array.from(yTeam)).toEqual(Array.from(ySingle));
      // A dense reference for one row checks the kernel itself.
      const r = 7;
      for (let d = 0; d < dim; d++) {
        let s = 0;
        for (let k = a.indptr[r]!; k < a.indptr[r + 1]!; k++) s += a.values[k]! * x[a.indices[k]! * dim + d]!;
        expect(ySingle[r * dim + d]).toBeCloseTo(s, 4);
      }
    }
  });

  it('runs dense Adam identically to the single-thread kernel', () => {
    const n = 10_001;
    const make = () => ({ p: sharedF32(n), g: sharedF32(n), m: sharedF32(n), v: sharedF32(n) });
    const a = make();
    const b = make();
    const rng = createRng(2);
    for (let i = 0; i < n; i++) {
      a.p[i] = b.p[i] = rng.normal();
      a.g[i] = b.g[i] = i % 3 === 0 ? 0 : rng.normal();
    }
    const h = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    for (let t = 1; t <= 3; t++) {
      adamDenseRange(a.p, a.g, a.m, a.v, h, t, 0, n);
      team.adamDense(b.p, b.g, b.m, b.v, h, t);
    }
    expect(Array.from(b.p)).toEqual(Array.from(a.p));
    expect(Array.from(b.v)).toEqual(Array.from(a.v));
  });

  it('refuses arrays that are not shared', () => {
    const a = randomCsr(10, 2, 3);
    expect(() => team.spmm(a, new Float32Array(10 * 4), sharedF32(10 * 4), 4)).toThrow(/SharedArrayBuffer/);
  });
});

describe('adamDenseRange', () => {
  it('matches PyTorch Adam on a hand-computed scalar', () => {
    // PyTorch: p=1, g=0.5, lr=0.1 → step 1: m=0.05, v=0.00025, m̂=0.5, v̂=0.25, p = 1 − 0.1·0.5/(0.5+1e-8)
    const p = Float32Array.from([1]);
    const g = Float32Array.from([0.5]);
    const m = new Float32Array(1);
    const v = new Float32Array(1);
    const h = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    adamDenseRange(p, g, m, v, h, 1, 0, 1);
    expect(p[0]).toBeCloseTo(1 - 0.1 * (0.5 / (0.5 + 1e-8)), 6);
    // step 2 with g = 0: m=0.045, v=0.00024975; m̂=0.045/0.19, v̂=0.00024975/0.001999
    g[0] = 0;
    const before = p[0]!;
    adamDenseRange(p, g, m, v, h, 2, 0, 1);
    const mHat = 0.045 / (1 - 0.81);
    const vHat = 0.00024975 / (1 - 0.999 ** 2);
    expect(p[0]).toBeCloseTo(before - 0.1 * (mHat / (Math.sqrt(vHat) + 1e-8)), 5);
  });
});
