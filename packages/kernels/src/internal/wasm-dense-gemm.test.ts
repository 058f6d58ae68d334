import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import type { Rng } from '@dtl/core';
import { createWasmArena, wasmKernelsSupported } from '../wasm-arena.ts';
import { wasmApi } from './wasm-asm.ts';
import { MAX_PAGES } from './wasm-kernel-module.ts';
import { GEMM_ACCUMULATE, GEMM_BIAS, GEMM_CONTINUE, GEMM_STORE, GEMM_TILE_ROWS, GEMM_TILE_VECS, denseGemmModuleBytes } from './wasm-dense-gemm.ts';
import type { DenseGemmFn, GemmTiling } from './wasm-dense-gemm.ts';
import { float32GemmReference } from '../__tests__/float32-gemm-reference.ts';

const f = Math.fround;

function random(out: Float32Array, rng: Rng): Float32Array {
  for (let i = 0; i < out.length; i++) {
    const u = rng.next();
    out[i] = u < 0.05 ? 0 : u < 0.1 ? -0 : rng.normal();
  }
  return out;
}

function sameBits(got: Float32Array, want: Float32Array): boolean {
  const g = new Uint32Array(got.buffer, got.byteOffset, want.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  return g.every((v, i) => v === w[i]);
}

describe.runIf(wasmKernelsSupported())('wasm dense GEMM kernel', () => {
  const arena = createWasmArena({ initialBytes: 1 << 22 });
  const api = wasmApi()!;
  const kernel = (m: number, tiling?: GemmTiling): DenseGemmFn =>
    new api.Instance(new api.Module(denseGemmModuleBytes(m, MAX_PAGES, tiling)), { env: { mem: arena.memory } }).exports['gemm'] as DenseGemmFn;

  it('gives the same bits for every tile shape, edge and mode (odd n, k, m; A rows with padding)', () => {
    const rng = createRng(3);
    const tilings: GemmTiling[] = [];
    for (let rows = 1; rows <= 4; rows++) for (let vecs = 1; vecs <= 4; vecs++) tilings.push({ rows, vecs });
    expect(tilings).toContainEqual({ rows: GEMM_TILE_ROWS, vecs: GEMM_TILE_VECS });
    const failures: string[] = [];
    for (const m of [1, 3, 4, 5, 15, 17, 63, 65]) {
      for (const t of tilings) {
        const gemm = kernel(m, t);
        for (const [n, k] of [[1, 1], [3, 5], [7, 63], [10, 65]] as const) {
          const lda = k + 3;
          const a = random(arena.f32(n * lda), rng);
          const x = random(arena.f32(k * m), rng);
          const bias = random(arena.f32(m), rng);
          const want = float32GemmReference(a, x, n, k, m, lda);
          const y = arena.f32(n * m + m + 1);
          const sentinel = (): boolean => y.subarray(n * m).every((v) => Number.isNaN(v));
          const where = `m=${m} tile ${t.rows}×${4 * t.vecs} n=${n} k=${k}`;
          y.fill(Number.NaN);
          gemm(a.byteOffset, 4 * lda, x.byteOffset, y.byteOffset, n, k, 0, GEMM_STORE);
          if (!sameBits(y, want) || !sentinel()) failures.push(`${where} store`);
          // k split in two: the second call continues each sum from the stored Y
          const k1 = Math.max(1, k >> 1);
          if (k1 < k) {
            y.fill(Number.NaN);
            gemm(a.byteOffset, 4 * lda, x.byteOffset, y.byteOffset, n, k1, 0, GEMM_STORE);
            gemm(a.byteOffset + 4 * k1, 4 * lda, x.byteOffset + 4 * m * k1, y.byteOffset, n, k - k1, 0, GEMM_CONTINUE);
            if (!sameBits(y, want) || !sentinel()) failures.push(`${where} continue`);
          }
          y.fill(Number.NaN);
          gemm(a.byteOffset, 4 * lda, x.byteOffset, y.byteOffset, n, k, bias.byteOffset, GEMM_BIAS);
          const withBias = want.map((v, i) => v + bias[i % m]!);
          if (!sameBits(y, withBias) || !sentinel()) failures.push(`${where} bias`);
          const y0 = random(new Float32Array(n * m), rng);
          y.set(y0);
          gemm(a.byteOffset, 4 * lda, x.byteOffset, y.byteOffset, n, k, bias.byteOffset, GEMM_ACCUMULATE);
          const accumulated = y0.map((v, i) => v + want[i]! + bias[i % m]!);
          if (!sameBits(y, accumulated) || !sentinel()) failures.push(`${where} accumulate`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
