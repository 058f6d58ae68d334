import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import type { Rng, WeightedCsr } from '@dtl/core';
import { createWasmArena, wasmKernelsSupported } from '../wasm-arena.ts';
import type { WasmArena } from '../wasm-arena.ts';
import { wasmAdamDense, wasmAxpy, wasmSpmm, wasmSpmmScatterRows } from './wasm-kernels.ts';
import { spmm } from '../spmm.ts';
import { spmmScatterRows } from './spmm-rows.ts';
import { adamDenseRange } from '../adam.ts';
import { createSyncTeam } from '../sync-team.ts';

const f = Math.fround;

type Alloc = { f32(n: number): Float32Array; i32(n: number): Int32Array };
const plain: Alloc = { f32: (n) => new Float32Array(n), i32: (n) => new Int32Array(n) };

/** A random CSR with about a third of the rows empty (including the first and last). */
function randomCsr(alloc: Alloc, nRows: number, nCols: number, perRow: number, rng: Rng): WeightedCsr {
  const cols: number[] = [];
  const indptr = alloc.i32(nRows + 1);
  for (let r = 0; r < nRows; r++) {
    const d = r === 0 || r === nRows - 1 || rng.next() < 0.33 ? 0 : 1 + rng.int(perRow * 2);
    for (let k = 0; k < d; k++) cols.push(rng.int(nCols));
    indptr[r + 1] = cols.length;
  }
  const indices = alloc.i32(cols.length);
  indices.set(cols);
  const values = alloc.f32(cols.length);
  for (let k = 0; k < cols.length; k++) values[k] = rng.next() - 0.5;
  return { nRows, nCols, indptr, indices, values };
}

function randomF32(alloc: Alloc, n: number, rng: Rng, scale = 1): Float32Array {
  const out = alloc.f32(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * scale;
  return out;
}

/** Y = A·X accumulated in float32 in storage order: what the wasm kernel must reproduce bit for bit. */
function spmmFloat32Reference(a: WeightedCsr, x: Float32Array, dim: number): Float32Array {
  const y = new Float32Array(a.nRows * dim);
  for (let r = 0; r < a.nRows; r++) {
    for (let d = 0; d < dim; d++) {
      let s = 0;
      for (let k = a.indptr[r]!; k < a.indptr[r + 1]!; k++) s = f(s + f(a.values[k]! * x[a.indices[k]! * dim + d]!));
      y[r * dim + d] = s;
    }
  }
  return y;
}

function maxRelError(got: Float32Array, want: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1e-3 + Math.abs(want[i]!)));
  return worst;
}

describe.runIf(wasmKernelsSupported())('wasm kernels', () => {
  const arena: WasmArena = createWasmArena();
  const team = createSyncTeam({ threads: 2 });
  afterAll(() => team.close());
  const dims = [1, 3, 4, 13, 64, 70];

  it('spmm equals the float32 reference exactly and the JS kernel to float32 tolerance', () => {
    for (const dim of dims) {
      const rng = createRng(dim);
      const a = randomCsr(arena, 97, 83, 5, rng);
      const x = randomF32(arena, 83 * dim, rng);
      const y = arena.f32(97 * dim).fill(Number.NaN); // every element must be overwritten
      wasmSpmm(a, x, y, dim);
      expect(Array.from(y)).toEqual(Array.from(spmmFloat32Reference(a, x, dim)));
      const yJs = new Float32Array(97 * dim);
      spmm(a, x, yJs, dim);
      // Float32 summation error is relative to Σ|A_rk·x_k| (cancellation makes the sum itself small).
      const abs = new Float32Array(97 * dim);
      spmm({ ...a, values: a.values.map(Math.abs) }, x.map(Math.abs), abs, dim);
      for (let i = 0; i < y.length; i++) expect(Math.abs(y[i]! - yJs[i]!)).toBeLessThanOrEqual(2e-6 * abs[i]!);
      // Empty rows are zero.
      expect(Array.from(y.subarray(0, dim))).toEqual(new Array(dim).fill(0));
    }
  });

  it('spmmScatterRows equals the JS kernel to float32 tolerance, with rows inside or outside the arena', () => {
    for (const dim of dims) {
      const rng = createRng(100 + dim);
      const a = randomCsr(arena, 60, 60, 4, rng);
      const x = randomF32(arena, 60 * dim, rng);
      const list = [5, 0, 17, 59, 33, 8];
      const yStart = randomF32(plain, 60 * dim, rng);
      const yJs = Float32Array.from(yStart);
      spmmScatterRows(a, x, Int32Array.from(list), list.length, yJs, dim);
      for (const rows of [Int32Array.from([...list, 1, 2]), (() => { const r = arena.i32(list.length); r.set(list); return r; })()]) {
        const y = arena.f32(60 * dim);
        y.set(yStart);
        wasmSpmmScatterRows(a, x, rows, list.length, y, dim);
        expect(maxRelError(y, yJs)).toBeLessThan(1e-5);
      }
    }
  });

  it('falls back to the JS kernels, bit for bit, when an array is outside the arena', () => {
    const dim = 13;
    const rng = createRng(5);
    const a = randomCsr(arena, 40, 40, 3, rng);
    const x = randomF32(plain, 40 * dim, rng);
    const y = new Float32Array(40 * dim);
    const yJs = new Float32Array(40 * dim);
    wasmSpmm(a, x, y, dim);
    spmm(a, x, yJs, dim);
    expect(Array.from(y)).toEqual(Array.from(yJs));
    const n = 37;
    const mk = () => ({ p: randomF32(plain, n, createRng(1)), g: randomF32(plain, n, createRng(2)), m: new Float32Array(n), v: new Float32Array(n) });
    const s = mk();
    const t = mk();
    const h = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    wasmAdamDense(s.p, s.g, s.m, s.v, h, 1);
    adamDenseRange(t.p, t.g, t.m, t.v, h, 1, 0, n);
    expect(Array.from(s.p)).toEqual(Array.from(t.p));
  });

  it('rejects a CSR whose column index is out of range instead of touching other buffers', () => {
    const a = randomCsr(arena, 10, 10, 3, createRng(9));
    const bad: WeightedCsr = { ...a, indices: (() => { const c = arena.i32(a.indices.length); c.set(a.indices); c[c.length - 1] = 10; return c; })() };
    expect(() => wasmSpmm(bad, arena.f32(40), arena.f32(40), 4)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => wasmSpmm(a, arena.f32(39), arena.f32(40), 4)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('dense Adam equals the float32 formula exactly and the JS float64 kernel to float32 tolerance', () => {
    const n = 1003; // not a multiple of 4: exercises the scalar tail
    const h = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const rng = createRng(3);
    const p = randomF32(arena, n, rng);
    const m = arena.f32(n);
    const v = arena.f32(n);
    const ref = { p: Float32Array.from(p), m: new Float32Array(n), v: new Float32Array(n) };
    const js = { p: Float32Array.from(p), m: new Float32Array(n), v: new Float32Array(n) };
    for (let t = 1; t <= 4; t++) {
      const g = randomF32(arena, n, rng, 0.1);
      for (let i = 0; i < n; i += 7) g[i] = 0;
      wasmAdamDense(p, g, m, v, h, t);
      adamDenseRange(js.p, g, js.m, js.v, h, t, 0, n);
      const b1 = f(h.beta1), b2 = f(h.beta2), c1 = f(1 - h.beta1), c2 = f(1 - h.beta2);
      const step = f(h.lr / (1 - h.beta1 ** t)), ib = f(1 / Math.sqrt(1 - h.beta2 ** t)), eps = f(h.eps);
      for (let i = 0; i < n; i++) {
        const gi = g[i]!;
        const mi = f(f(b1 * ref.m[i]!) + f(c1 * gi));
        const vi = f(f(b2 * ref.v[i]!) + f(f(c2 * gi) * gi));
        ref.m[i] = mi;
        ref.v[i] = vi;
        ref.p[i] = f(ref.p[i]! - f(f(step * mi) / f(f(f(Math.sqrt(vi)) * ib) + eps)));
      }
    }
    expect(Array.from(p)).toEqual(Array.from(ref.p));
    expect(Array.from(m)).toEqual(Array.from(ref.m));
    expect(Array.from(v)).toEqual(Array.from(ref.v));
    expect(maxRelError(p, js.p)).toBeLessThan(1e-5);
    expect(maxRelError(v, js.v)).toBeLessThan(1e-5);
  });

  it('axpy and scale compute y = a·x (+ y) in float32, inside and outside the arena', () => {
    const n = 23;
    const rng = createRng(4);
    for (const alloc of [arena as Alloc, plain]) {
      const x = randomF32(alloc, n, rng);
      const y = randomF32(alloc, n, rng);
      const y0 = Float32Array.from(y);
      wasmAxpy(y, x, 0.3, true);
      for (let i = 0; i < n; i++) expect(y[i]).toBe(f(y0[i]! + f(f(0.3) * x[i]!)));
      wasmAxpy(y, x, -2, false, 5, 9);
      for (let i = 5; i < 9; i++) expect(y[i]).toBe(f(-2 * x[i]!));
      expect(y[4]).toBe(f(y0[4]! + f(f(0.3) * x[4]!)));
    }
  });

  it('a team of 2 threads equals 1 thread bit for bit on the wasm path', () => {
    for (const dim of [13, 64]) {
      const rng = createRng(20 + dim);
      const a = randomCsr(arena, 700, 700, 6, rng);
      const x = randomF32(arena, 700 * dim, rng);
      const y1 = arena.f32(700 * dim);
      const y2 = arena.f32(700 * dim);
      wasmSpmm(a, x, y1, dim);
      team.spmm(a, x, y2, dim);
      expect(Array.from(y2)).toEqual(Array.from(y1));
    }
    const n = 10_007;
    const h = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const rng = createRng(8);
    const one = { p: randomF32(arena, n, rng), m: arena.f32(n), v: arena.f32(n) };
    const two = { p: arena.f32(n), m: arena.f32(n), v: arena.f32(n) };
    two.p.set(one.p);
    for (let t = 1; t <= 3; t++) {
      const g = randomF32(arena, n, rng);
      wasmAdamDense(one.p, g, one.m, one.v, h, t);
      team.adamDense(two.p, g, two.m, two.v, h, t);
    }
    expect(Array.from(two.p)).toEqual(Array.from(one.p));
    expect(Array.from(two.v)).toEqual(Array.from(one.v));
  });

  it('a team falls back to the JS kernels when only some arrays are in the arena (offset views included)', () => {
    const dim = 6;
    const rng = createRng(31);
    const a = randomCsr(arena, 200, 200, 4, rng);
    const x = randomF32(arena, 200 * dim, rng);
    const y = new Float32Array(new SharedArrayBuffer(200 * dim * 4 + 64), 64, 200 * dim);
    const yJs = new Float32Array(200 * dim);
    team.spmm(a, x, y, dim);
    spmm(a, x, yJs, dim);
    expect(Array.from(y)).toEqual(Array.from(yJs));
  });

  it('a team runs kernels on several arenas and after the memory grew', () => {
    const other = createWasmArena({ initialBytes: 65536 });
    const dim = 8;
    const a = randomCsr(other, 50, 50, 3, createRng(1));
    const x = randomF32(other, 50 * dim, createRng(2));
    const y1 = other.f32(50 * dim);
    team.spmm(a, x, y1, dim);
    other.f32(1 << 20); // grow
    const y2 = other.f32(50 * dim);
    team.spmm(a, x, y2, dim);
    expect(Array.from(y2)).toEqual(Array.from(spmmFloat32Reference(a, x, dim)));
    expect(Array.from(y1)).toEqual(Array.from(y2));
  });
});
