import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import { createWasmArena, wasmKernelsSupported } from './wasm-arena.ts';
import { gatherMixedRows, gatherMixedRowsJs, scatterMixedRows, scatterMixedRowsJs } from './mixed-rows.ts';
import type { MixedRowsBatch } from './mixed-rows.ts';
import { mixedExports } from './internal/wasm-mixed.ts';
import { MAX_PAGES } from './internal/wasm-kernel-module.ts';

const bits = (a: Float32Array | Float64Array): string[] => Array.from(a, (v) => Object.is(v, -0) ? '-0' : String(v));

describe.skipIf(!wasmKernelsSupported())('mixed-negative rows: wasm equals the JS loops bit for bit', () => {
  for (const dim of [1, 2, 3, 7, 16, 64, 65]) {
    for (const [L, S] of [[1, 2], [2, 1], [4, 2], [3, 3]] as const) {
      it(`dim ${dim}, ${L} layers, ${S} sources (repeated sources included)`, () => {
        const rng = createRng(dim * 31 + L * 7 + S);
        const nItems = 9;
        const nUsers = 5;
        const nSlots = 11;
        const arena = createWasmArena();
        expect(mixedExports(arena.memory, dim, MAX_PAGES)).not.toBeNull();
        const tables = Array.from({ length: L }, () => {
          const t = arena.f32(nItems * dim);
          for (let i = 0; i < t.length; i++) t[i] = rng.normal();
          return t;
        });
        const lw = arena.f32(L);
        lw.fill(1 / L);
        const n = nSlots * L * S;
        const batch: MixedRowsBatch = { items: new Int32Array(n), weights: new Float32Array(n), nSlots, nLayers: L, nSources: S };
        for (let i = 0; i < n; i++) {
          batch.items[i] = i % 5 === 0 && i > 0 ? batch.items[i - 1]! : rng.int(nItems);
          batch.weights[i] = rng.next();
        }
        const f64 = (m: number): Float64Array => {
          const raw = arena.f32(2 * m);
          return new Float64Array(raw.buffer, raw.byteOffset, m);
        };
        const out = f64(nSlots * dim), out0 = f64(nSlots * dim);
        const jsOut = new Float64Array(nSlots * dim), jsOut0 = new Float64Array(nSlots * dim);
        gatherMixedRows(batch, tables, lw, dim, out, out0);
        gatherMixedRowsJs(batch, tables, lw, dim, jsOut, jsOut0);
        expect(bits(out)).toEqual(bits(jsOut));
        expect(bits(out0)).toEqual(bits(jsOut0));

        const user = arena.f32(nUsers * dim);
        for (let i = 0; i < user.length; i++) user[i] = rng.normal();
        const users = Int32Array.from({ length: nSlots }, () => rng.int(nUsers));
        const g = Float64Array.from({ length: nSlots }, () => rng.normal() * 1e-3);
        const targets = tables.map(() => {
          const t = arena.f32(nItems * dim);
          for (let i = 0; i < t.length; i++) t[i] = rng.normal() * 1e-2;
          return t;
        });
        const jsTargets = targets.map((t) => Float32Array.from(t));
        scatterMixedRows(batch, targets, lw, dim, user, users, g);
        scatterMixedRowsJs(batch, jsTargets, Float32Array.from(lw), dim, Float32Array.from(user), users, g);
        for (let l = 0; l < L; l++) expect(bits(targets[l]!)).toEqual(bits(jsTargets[l]!));
      });
    }
  }

  it('falls back to the JS loops outside an arena, and rejects an out-of-range source with INVALID_ARGUMENT', () => {
    const dim = 4;
    const table = Float32Array.from({ length: 3 * dim }, (_, i) => i);
    const batch: MixedRowsBatch = { items: Int32Array.of(0, 2), weights: Float32Array.of(0.5, 0.25), nSlots: 1, nLayers: 1, nSources: 2 };
    const out = new Float64Array(dim), out0 = new Float64Array(dim);
    gatherMixedRows(batch, [table], Float32Array.of(1), dim, out, out0);
    expect(Array.from(out0)).toEqual([0.5 * 0 + 0.25 * 8, 0.5 * 1 + 0.25 * 9, 0.5 * 2 + 0.25 * 10, 0.5 * 3 + 0.25 * 11]);
    expect(() => gatherMixedRows({ ...batch, items: Int32Array.of(0, 3) }, [table], Float32Array.of(1), dim, out, out0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
