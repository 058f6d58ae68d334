import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import { createWasmArena, wasmKernelsSupported } from './wasm-arena.ts';
import { densGatedScores, densGatedScoresJs, gatherDotJs, gatherDotScores, packedCodeBonus, packedCodeBonusJs } from './candidate-scores.ts';
import type { PackedCodeView } from './candidate-scores.ts';

/** Plain float64 dot in element order — a different summation order, so only close, not equal. */
function naiveDot(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let s = 0;
  for (let t = 0; t < dim; t++) s += a[ao + t]! * b[bo + t]!;
  return s;
}

/** Fills a typed array in place (`.map` would return a copy outside the arena). */
function fill<T extends Float32Array | Int32Array>(a: T, f: () => number): T {
  for (let i = 0; i < a.length; i++) a[i] = f();
  return a;
}

describe.runIf(wasmKernelsSupported())('gatherDotScores (wasm SIMD vs JS)', () => {
  for (const dim of [1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64, 67]) {
    it(`dim ${dim}: bit-identical to the JS kernel on random inputs (odd candidate counts)`, () => {
      const rng = createRng(dim);
      const arena = createWasmArena();
      const nU = 37;
      const nI = 53;
      // Scales spread over many binades, so rounding differences would show.
      const U = fill(arena.f32(nU * dim), () => rng.normal() * 10 ** (rng.int(7) - 3));
      const I = fill(arena.f32(nI * dim), () => rng.normal() * 10 ** (rng.int(7) - 3));
      expect(arena.owns(U) && arena.owns(I)).toBe(true);
      for (const [nPairs, per] of [[1, 1], [5, 3], [19, 7], [64, 10], [3, 0]] as const) {
        const users = Int32Array.from({ length: nPairs }, () => rng.int(nU));
        const cand = Int32Array.from({ length: nPairs * per }, () => rng.int(nI));
        const js = new Float64Array(nPairs * per);
        const wasm = new Float64Array(nPairs * per).fill(NaN);
        gatherDotJs(users, cand, per, U, I, dim, js);
        gatherDotScores(users, cand, per, U, I, dim, wasm);
        expect(Array.from(wasm)).toEqual(Array.from(js));
        // Sanity: the scores are the dot products (so both paths cannot be equally wrong).
        for (let t = 0; t < nPairs * per; t++) {
          const ref = naiveDot(U, users[Math.floor(t / per)]! * dim, I, cand[t]! * dim, dim);
          expect(Math.abs(js[t]! - ref)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(ref)) * dim);
        }
      }
    });
  }

  it('uses the wasm kernel for arena views in place (ids and output in the arena too)', () => {
    const rng = createRng(3);
    const arena = createWasmArena();
    const dim = 64;
    const U = fill(arena.f32(10 * dim), () => rng.normal());
    const I = fill(arena.f32(20 * dim), () => rng.normal());
    const users = fill(arena.i32(4), () => rng.int(10));
    const cand = fill(arena.i32(12), () => rng.int(20));
    const raw = arena.f32(24);
    const out = new Float64Array(raw.buffer, raw.byteOffset, 12);
    expect(arena.owns(users) && arena.owns(cand) && arena.owns(out)).toBe(true);
    const js = new Float64Array(12);
    gatherDotScores(users, cand, 3, U, I, dim, out);
    gatherDotJs(users, cand, 3, U, I, dim, js);
    expect(Array.from(out)).toEqual(Array.from(js));
  });

  it('rejects rows outside the tables on both paths (wasm would read other arena memory)', () => {
    const arena = createWasmArena();
    const U = arena.f32(4 * 8);
    const I = arena.f32(5 * 8);
    const out = new Float64Array(2);
    expect(() => gatherDotScores(Int32Array.of(0), Int32Array.of(1, 5), 2, U, I, 8, out)).toThrow(/candidate 5 at 1 outside 0..4/);
    expect(() => gatherDotScores(Int32Array.of(-1), Int32Array.of(1, 2), 2, U, I, 8, out)).toThrow(/user -1/);
    expect(() => gatherDotScores(Int32Array.of(0), Int32Array.of(1, 9), 2, new Float32Array(32), new Float32Array(40), 8, out)).toThrow(/candidate 9/);
  });
});

describe('gatherDotScores without an arena', () => {
  it('runs the JS kernel on plain arrays', () => {
    const rng = createRng(9);
    const dim = 6;
    const U = new Float32Array(3 * dim).map(() => rng.normal());
    const I = new Float32Array(4 * dim).map(() => rng.normal());
    const out = new Float64Array(2);
    gatherDotScores(Int32Array.of(2), Int32Array.of(0, 3), 2, U, I, dim, out);
    expect(out[0]).toBeCloseTo(naiveDot(U, 2 * dim, I, 0, dim), 12);
    expect(out[1]).toBeCloseTo(naiveDot(U, 2 * dim, I, 3 * dim, dim), 12);
  });
});

describe.runIf(wasmKernelsSupported())('packedCodeBonus (wasm vs JS)', () => {
  it('is bit-identical to the JS loop for one and two views, empty and equal codes included', () => {
    const rng = createRng(17);
    const nItems = 300;
    const view = (bits: number, alpha: number): PackedCodeView => {
      const maxLen = Math.floor(32 / bits);
      const keys = new Int32Array(nItems);
      const lens = new Uint8Array(nItems);
      for (let i = 0; i < nItems; i++) {
        const src = i > 0 && rng.next() < 0.3 ? rng.int(i) : -1; // near-duplicates: long common prefixes
        const len = rng.int(maxLen + 1);
        let key = 0;
        for (let d = 0; d < len; d++) {
          const digit = src >= 0 && d < lens[src]! && rng.next() < 0.8 ? (keys[src]! >>> (32 - bits * (d + 1))) & ((1 << bits) - 1) : rng.int(1 << bits);
          key |= digit << (32 - bits * (d + 1));
        }
        keys[i] = key;
        lens[i] = len;
      }
      return { keys, lens, bits, alpha };
    };
    const co = view(2, 0.1);
    const se = view(3, 0.3);
    for (const views of [[co], [se], [co, se], []]) {
      const nPairs = 77;
      const per = 9;
      const pos = Int32Array.from({ length: nPairs }, () => rng.int(nItems));
      const cand = Int32Array.from({ length: nPairs * per }, (_, t) => (t % 5 === 0 ? pos[Math.floor(t / per)]! : rng.int(nItems)));
      const js = new Float64Array(nPairs * per);
      const wasm = new Float64Array(nPairs * per).fill(NaN);
      packedCodeBonusJs(pos, cand, per, views, js);
      packedCodeBonus(pos, cand, per, views, wasm);
      expect(Array.from(wasm)).toEqual(Array.from(js));
      if (views.length > 0) expect(new Set(js).size).toBeGreaterThan(3);
    }
    expect(() => packedCodeBonus(Int32Array.of(0), Int32Array.of(nItems), 1, [co], new Float64Array(1))).toThrow(/packedCodeBonus: candidate 300/);
  });
});

describe.runIf(wasmKernelsSupported())('densGatedScores (wasm SIMD with expf vs float64 JS)', () => {
  for (const [dim, L, N, k] of [[4, 1, 6, 1], [8, 3, 5, 2], [64, 1, 6, 1], [64, 4, 3, 1]] as const) {
    it(`dim ${dim}, ${L} layer(s), ${N} candidates, k ${k}: within 1e-5 of the float64 scores`, () => {
      const rng = createRng(dim + L);
      const arena = createWasmArena();
      const B = 33;
      const nT = B * k;
      const nP = B * L * dim;
      const nC = nT * N * L * dim;
      const eu = fill(arena.f32(nP), () => rng.normal() * 0.3);
      const q = fill(arena.f32(nP), () => rng.normal() * 3);
      const ec = fill(arena.f32(nC), () => rng.normal() * 0.3);
      // Gate pre-activations over a wide range, including saturated ones (|z| > 88).
      const zc = fill(arena.f32(nC), () => (rng.next() < 0.02 ? (rng.next() < 0.5 ? -1 : 1) * 200 : rng.normal() * 4));
      for (const w of [1, 0.6, 0]) {
        const js = new Float64Array(nT * L * N);
        const wasm = new Float64Array(nT * L * N).fill(NaN);
        densGatedScoresJs(eu, ec, zc, q, nT, k, N, L, dim, w, js);
        expect(densGatedScores(eu, ec, zc, q, nT, k, N, L, dim, w, wasm)).toBe('wasm');
        let scale = 0;
        for (let t = 0; t < js.length; t++) scale = Math.max(scale, Math.abs(js[t]!));
        for (let t = 0; t < js.length; t++) expect(Math.abs(wasm[t]! - js[t]!)).toBeLessThanOrEqual(1e-5 * scale);
      }
    });
  }

  it('falls back to the JS loop for odd dims or buffers outside the arena', () => {
    const dim = 5;
    const eu = new Float32Array(dim).fill(0.5);
    const out = new Float64Array(2);
    expect(densGatedScores(eu, new Float32Array(2 * dim).fill(1), new Float32Array(2 * dim), new Float32Array(dim), 1, 1, 2, 1, dim, 1, out)).toBe('js');
    expect(out[0]).toBeCloseTo(dim * 0.5 * 0.5, 6);
    expect(() => densGatedScores(eu, eu, eu, eu, 1, 1, 2, 1, dim, 1, out)).toThrow(/shorter/);
  });
});
