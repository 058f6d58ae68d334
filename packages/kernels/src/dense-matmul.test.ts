import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import type { Rng, WeightedCsr } from '@dtl/core';
import { createDenseMatmul, denseKBlock } from './dense-matmul.ts';
import type { DenseMatmul } from './dense-matmul.ts';
import { wasmKernelsSupported } from './wasm-arena.ts';
import type { WasmArena } from './wasm-arena.ts';
import { wasmSpmmRows } from './internal/wasm-kernels.ts';
import { spmmRowsKernel } from './internal/spmm-rows.ts';
import { float32GemmReference } from './__tests__/float32-gemm-reference.ts';

const f = Math.fround;

function naive(a: Float32Array, x: Float32Array, n: number, k: number, m: number): Float64Array {
  const y = new Float64Array(n * m);
  for (let r = 0; r < n; r++) for (let t = 0; t < k; t++) for (let c = 0; c < m; c++) y[r * m + c] = y[r * m + c]! + a[r * k + t]! * x[t * m + c]!;
  return y;
}

/** The previous implementation: the dense A as a CSR matrix with all k columns through the wasm SpMM kernel. */
function spmmReference(arena: WasmArena, a: Float32Array, x: Float32Array, n: number, k: number, m: number): Float32Array {
  const indptr = arena.i32(n + 1);
  const indices = arena.i32(n * k);
  for (let r = 0; r <= n; r++) indptr[r] = r * k;
  for (let t = 0; t < n * k; t++) indices[t] = t % k;
  const csr: WeightedCsr = { nRows: n, nCols: k, indptr, indices, values: a };
  const y = arena.f32(n * m);
  wasmSpmmRows(csr, x, y, m, 0, n);
  return y;
}

/** The previous `linear` epilogue on a product t (n×outDim): JS arithmetic on Float32Arrays. */
function linearEpilogue(t: Float32Array, y: Float32Array, bias: Float32Array | undefined, n: number, outDim: number, accumulate: boolean): void {
  for (let r = 0; r < n; r++) {
    const o = r * outDim;
    for (let c = 0; c < outDim; c++) {
      if (accumulate) y[o + c] = y[o + c]! + t[o + c]! + (bias ? bias[c]! : 0);
      else y[o + c] = bias ? t[o + c]! + bias[c]! : t[o + c]!;
    }
  }
}

/** Random normal values with about 5 % +0 and 5 % −0 (signed zeros must come out as the reference's). */
function fillRandom(out: Float32Array, rng: Rng, scale = 1): Float32Array {
  for (let i = 0; i < out.length; i++) {
    const u = rng.next();
    out[i] = u < 0.05 ? 0 : u < 0.1 ? -0 : rng.normal() * scale;
  }
  return out;
}

/** '' when the first `len` floats are bit-identical, else the first differing index and both values. */
function firstMismatch(got: Float32Array, want: Float32Array, len = want.length): string {
  const g = new Uint32Array(got.buffer, got.byteOffset, len);
  const w = new Uint32Array(want.buffer, want.byteOffset, len);
  for (let i = 0; i < len; i++) {
    if (g[i] !== w[i]) return `at ${i} of ${len}: got ${got[i]} (0x${g[i]!.toString(16)}), want ${want[i]} (0x${w[i]!.toString(16)})`;
  }
  return '';
}

const ODD = [1, 3, 5, 63, 65, 130];

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

  it('falls back to the JS SpMM kernel (same values) when operands are outside the arena', () => {
    const mm = createDenseMatmul();
    const rng = createRng(5);
    const [n, k, m] = [37, 65, 63];
    const a = fillRandom(new Float32Array(n * k), rng);
    const x = fillRandom(new Float32Array(k * m), rng);
    const y = new Float32Array(n * m);
    mm.matmul(a, x, y, n, k, m);
    const indptr = Int32Array.from({ length: n + 1 }, (_, r) => r * k);
    const indices = Int32Array.from({ length: n * k }, (_, t) => t % k);
    const want = new Float32Array(n * m);
    spmmRowsKernel(m)(indptr, indices, a, x, want, 0, n);
    expect(firstMismatch(y, want)).toBe('');
  });
});

describe.runIf(wasmKernelsSupported())('createDenseMatmul on the wasm GEMM: bit-identical results', () => {
  const mm: DenseMatmul = createDenseMatmul();
  const arena = mm.arena!;

  function check(n: number, k: number, m: number, rng: Rng): void {
    const a = fillRandom(mm.buffer(n * k), rng);
    const x = fillRandom(mm.buffer(k * m), rng);
    const y = mm.buffer(n * m + 1).fill(Number.NaN);
    mm.matmul(a, x, y, n, k, m);
    const where = `n=${n} k=${k} m=${m}`;
    expect(`${where} ${firstMismatch(y, float32GemmReference(a, x, n, k, m))}`).toBe(`${where} `);
    expect(`${where} ${firstMismatch(y, spmmReference(arena, a, x, n, k, m))}`).toBe(`${where} `);
    expect(Number.isNaN(y[n * m]!)).toBe(true); // nothing written past Y
  }

  it('matches the float32 reference and the SpMM path on all odd shapes', () => {
    const rng = createRng(11);
    for (const n of ODD) for (const k of ODD) for (const m of ODD) check(n, k, m, rng);
  });

  it('matches them on long k (split into blocks) and on the DENS shape', () => {
    const rng = createRng(12);
    expect(denseKBlock(64)).toBeLessThan(2100);
    expect(denseKBlock(130)).toBeLessThan(1100);
    check(7, 2100, 64, rng);
    check(5, 1100, 130, rng);
    check(3, 1025, 16, rng);
    check(2048, 64, 64, rng);
  });

  it('writes zeros for k = 0 and nothing for n = 0 or m = 0', () => {
    const a = mm.buffer(6);
    const x = mm.buffer(6);
    const y = mm.buffer(6).fill(5);
    mm.matmul(a, x, y, 2, 0, 3);
    expect(Array.from(y)).toEqual([0, 0, 0, 0, 0, 0]);
    y.fill(5);
    mm.matmul(a, x, y, 0, 2, 3);
    mm.matmul(a, x, y, 3, 2, 0);
    expect(Array.from(y)).toEqual([5, 5, 5, 5, 5, 5]);
  });

  describe('linear', () => {
    /** The previous `linear`: Wᵀ by a JS transpose, the product on the SpMM path, the JS epilogue. */
    function previousLinear(x: Float32Array, w: Float32Array, bias: Float32Array | undefined, y: Float32Array, n: number, inDim: number, outDim: number, accumulate: boolean): void {
      const wT = arena.f32(inDim * outDim);
      for (let r = 0; r < outDim; r++) for (let c = 0; c < inDim; c++) wT[c * outDim + r] = w[r * inDim + c]!;
      linearEpilogue(spmmReference(arena, x, wT, n, inDim, outDim), y, bias, n, outDim, accumulate);
    }

    it('is bit-identical to the previous implementation with and without bias and accumulate', () => {
      const rng = createRng(21);
      const dims: Array<[number, number, number]> = [[1, 1, 1], [3, 5, 63], [65, 63, 65], [130, 64, 64], [5, 130, 3], [2048, 64, 64], [9, 600, 5]];
      for (const [n, inDim, outDim] of dims) {
        for (const withBias of [false, true]) {
          for (const accumulate of [false, true]) {
            const x = fillRandom(mm.buffer(n * inDim), rng);
            const w = fillRandom(mm.buffer(outDim * inDim), rng, 0.2);
            const bias = withBias ? fillRandom(new Float32Array(outDim), rng) : undefined;
            const yStart = fillRandom(new Float32Array(n * outDim), rng, 3);
            const y = mm.buffer(n * outDim + 1);
            y.set(yStart);
            y[n * outDim] = Number.NaN;
            mm.linear(x, w, bias, y, n, inDim, outDim, accumulate);
            const where = `n=${n} in=${inDim} out=${outDim} bias=${withBias} acc=${accumulate}`;
            expect(Number.isNaN(y[n * outDim]!)).toBe(true); // nothing written past Y
            const previous = arena.f32(n * outDim);
            previous.set(yStart);
            previousLinear(x, w, bias, previous, n, inDim, outDim, accumulate);
            expect(`${where} ${firstMismatch(y, previous)}`).toBe(`${where} `);
            // float32 product (rounded per op), then the epilogue in JS numbers
            const wT = new Float32Array(inDim * outDim);
            for (let r = 0; r < outDim; r++) for (let c = 0; c < inDim; c++) wT[c * outDim + r] = w[r * inDim + c]!;
            const reference = Float32Array.from(yStart);
            linearEpilogue(float32GemmReference(x, wT, n, inDim, outDim), reference, bias, n, outDim, accumulate);
            expect(`${where} ${firstMismatch(y, reference)}`).toBe(`${where} `);
          }
        }
      }
    });

    it('accumulates in float64 like the JS epilogue (not in float32) and keeps the sign of zero rules', () => {
      const n = 1, inDim = 1, outDim = 4;
      const x = mm.buffer(1);
      x[0] = 1;
      const w = mm.buffer(4);
      // t = w; y + t + b: with float32 adds (1 + 2⁻²⁴) + 2⁻²⁴ rounds to 1 twice, in float64 it reaches 1 + 2⁻²³.
      w.set([2 ** -24, 0, -0, -0]);
      const bias = Float32Array.from([2 ** -24, 0, 0, -0]);
      const y = mm.buffer(4);
      y.set([1, -0, -0, -0]);
      mm.linear(x, w, bias, y, n, inDim, outDim, true);
      expect(y[0]).toBe(1 + 2 ** -23);
      expect(Object.is(y[1], 0)).toBe(true); // −0 + (+0) → +0
      expect(Object.is(y[2], 0)).toBe(true); // the product starts from +0: 0 + (−0) → +0
      expect(Object.is(y[3], 0)).toBe(true);
      const y2 = mm.buffer(4);
      y2.set([-0, -0, -0, -0]);
      mm.linear(x, w, undefined, y2, n, inDim, outDim, true);
      expect(Array.from(y2, (v) => Object.is(v, -0))).toEqual([false, false, false, false]);
    });

    it('gives the same bits when Y is outside the arena or overlaps X (the unfused path)', () => {
      const rng = createRng(22);
      const [n, d] = [67, 65];
      const x = fillRandom(mm.buffer(n * d), rng);
      const w = fillRandom(mm.buffer(d * d), rng, 0.2);
      const bias = fillRandom(mm.buffer(d), rng);
      const yArena = fillRandom(mm.buffer(n * d), rng);
      const yPlain = Float32Array.from(yArena);
      const xAlias = mm.buffer(n * d);
      xAlias.set(x);
      const yAlias = xAlias; // Y += X·Wᵀ + b with Y = X
      const want = Float32Array.from(x);
      mm.linear(x, w, bias, want, n, d, d, true);
      mm.linear(xAlias, w, bias, yAlias, n, d, d, true);
      expect(firstMismatch(yAlias, want)).toBe('');
      mm.linear(x, w, bias, yArena, n, d, d, true);
      mm.linear(x, w, bias, yPlain, n, d, d, true);
      expect(firstMismatch(yPlain, yArena)).toBe('');
    });
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
    expect(() => mm.linear(x, w, Float32Array.of(1), y, 2, 3, 2)).toThrow(/bias/);
    expect(() => mm.linear(x, w.subarray(0, 5), b, y, 2, 3, 2)).toThrow(/need/);
  });

  it('transposes', () => {
    const mm = createDenseMatmul();
    for (const [n, m] of [[1, 1], [3, 5], [17, 9], [64, 3]] as const) {
      const y = Float32Array.from({ length: n * m }, (_, i) => i);
      const out = new Float32Array(n * m);
      mm.transpose(y, out, n, m);
      for (let r = 0; r < n; r++) for (let c = 0; c < m; c++) expect(out[c * n + r]).toBe(y[r * m + c]);
    }
  });
});
