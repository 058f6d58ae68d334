import { describe, expect, it } from 'vitest';
import { createRng, shuffleInPlace } from './index.ts';

describe('createRng', () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const a = createRng(2022);
    const b = createRng(2022);
    const c = createRng(2023);
    const sa = Array.from({ length: 8 }, () => a.uint32());
    const sb = Array.from({ length: 8 }, () => b.uint32());
    const sc = Array.from({ length: 8 }, () => c.uint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('restores a saved state exactly', () => {
    const rng = createRng(7);
    for (let i = 0; i < 100; i++) rng.next();
    const state = rng.getState();
    const after = Array.from({ length: 5 }, () => rng.next());
    rng.setState(state);
    expect(Array.from({ length: 5 }, () => rng.next())).toEqual(after);
  });

  it('draws uniform integers in range with the right mean', () => {
    const rng = createRng(1);
    const counts = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[rng.int(10)]!++;
    for (const c of counts) expect(Math.abs(c / n - 0.1)).toBeLessThan(0.005);
  });

  it('draws standard normals', () => {
    const rng = createRng(3);
    let sum = 0;
    let sq = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      sum += x;
      sq += x * x;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.03);
  });

  it('forks independent, reproducible streams without advancing the parent', () => {
    const rng = createRng(5);
    const before = rng.getState();
    const f1 = rng.fork('sampler').uint32();
    expect(rng.getState()).toEqual(before);
    expect(createRng(5).fork('sampler').uint32()).toBe(f1);
    expect(createRng(5).fork('model').uint32()).not.toBe(f1);
  });

  it('shuffles into a permutation', () => {
    const values = Int32Array.from({ length: 50 }, (_, i) => i);
    shuffleInPlace(values, createRng(9));
    expect(Array.from(values).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(values)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
