// The fused score-and-pick kernels against the samplers' JS loops over gatherDotJs scores: same picks.
import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import { createWasmArena, gatherDotArgmax, gatherDotArgminDistance, gatherDotJs, gatherDotPickLayer, gatherDotTopN, pickBuffers, wasmKernelsSupported } from './index.ts';

function refArgmax(scores: Float64Array, nT: number, N: number): Int32Array {
  const out = new Int32Array(nT);
  for (let t = 0; t < nT; t++) {
    const o = t * N;
    let best = o;
    let bs = scores[o]!;
    for (let c = o + 1; c < o + N; c++) if (scores[c]! > bs) { bs = scores[c]!; best = c; }
    out[t] = best;
  }
  return out;
}

function refArgmin(scores: Float64Array, nT: number, k: number, N: number, targets: Float64Array): Int32Array {
  const out = new Int32Array(nT);
  for (let t = 0; t < nT; t++) {
    const o = t * N;
    const tg = targets[(t / k) | 0]!;
    let best = o;
    let bc = Math.abs(scores[o]! - tg);
    for (let c = o + 1; c < o + N; c++) {
      const cr = Math.abs(scores[c]! - tg);
      if (cr < bc) { bc = cr; best = c; }
    }
    out[t] = best;
  }
  return out;
}

/** DNS(M,N)'s partial insertion sort (dns-mn.ts), as local indices. */
function refTopN(scores: Float64Array, nT: number, M: number, N: number): Int32Array {
  const out = new Int32Array(nT * N);
  const top = new Int32Array(N);
  for (let t = 0; t < nT; t++) {
    const o = t * M;
    let filled = 0;
    for (let c = o; c < o + M; c++) {
      const s = scores[c]!;
      let pos = filled;
      while (pos > 0 && scores[top[pos - 1]!]! < s) pos--;
      if (pos >= N) continue;
      const last = filled < N ? filled : N - 1;
      for (let q = last; q > pos; q--) top[q] = top[q - 1]!;
      top[pos] = c;
      if (filled < N) filled++;
    }
    for (let q = 0; q < N; q++) out[t * N + q] = top[q]! - o;
  }
  return out;
}

function refLayer(cs: Float64Array, ps: Float64Array, nT: number, k: number, N: number, alphas: Float64Array, L: number, l: number, mix: boolean, normalize: boolean, bonus: Float64Array | null, chosen: Int32Array): void {
  const scratch = new Float64Array(N);
  for (let t = 0; t < nT; t++) {
    const sp = mix ? ps[(t / k) | 0]! : 0;
    const a = alphas[t * L + l]!;
    const o = t * N;
    let min = Infinity;
    let max = -Infinity;
    for (let c = 0; c < N; c++) {
      const m = a * sp + (1 - a) * cs[o + c]!;
      scratch[c] = m;
      if (m < min) min = m;
      if (m > max) max = m;
    }
    const range = max - min;
    const inv = normalize && range > 0 ? 1 / range : 0;
    let best = 0;
    let bs = -Infinity;
    for (let c = 0; c < N; c++) {
      let s = normalize ? (scratch[c]! - min) * inv : scratch[c]!;
      if (bonus !== null) s += bonus[o + c]!;
      if (s > bs) { bs = s; best = c; }
    }
    chosen[t * L + l] = o + best;
  }
}

describe.runIf(wasmKernelsSupported())('fused score-and-pick kernels', () => {
  for (const dim of [1, 3, 4, 7, 8, 13, 16, 33, 64, 65]) {
    for (const [N, k] of [[1, 1], [10, 1], [7, 3], [3, 2]] as const) {
      it(`dim ${dim}, N ${N}, k ${k}`, () => {
        const rng = createRng(dim * 100 + N * 10 + k);
        const arena = createWasmArena();
        const nU = 23, nI = 41, B = 19;
        const U = arena.f32(nU * dim);
        const I = arena.f32(nI * dim);
        for (let i = 0; i < U.length; i++) U[i] = rng.normal();
        for (let i = 0; i < I.length; i++) I[i] = rng.normal();
        // near ties: odd items copy their predecessor, one element nudged by one ulp; item 40 duplicates item 39
        for (let i = 1; i < nI; i += 2) {
          for (let d = 0; d < dim; d++) I[i * dim + d] = I[(i - 1) * dim + d]!;
          if (i % 4 === 1) I[i * dim] = Math.fround(I[i * dim]! * (1 + 2 ** -23));
        }
        const users = Int32Array.from({ length: B }, () => rng.int(nU));
        const positives = Int32Array.from({ length: B }, () => rng.int(nI));
        const nT = B * k;
        const cand = Int32Array.from({ length: nT * N }, () => rng.int(nI));
        const cs = new Float64Array(nT * N);
        gatherDotJs(users, cand, k * N, U, I, dim, cs);
        const ps = new Float64Array(B);
        gatherDotJs(users, positives, 1, U, I, dim, ps);

        const ch = new Int32Array(nT);
        expect(gatherDotArgmax(users, cand, N, k, U, I, dim, ch)).toBe(true);
        expect(ch).toEqual(refArgmax(cs, nT, N));

        for (let topN = 1; topN <= N; topN++) {
          const tops = new Int32Array(nT * topN);
          expect(gatherDotTopN(users, cand, N, k, U, I, dim, topN, tops)).toBe(true);
          expect(tops, `top ${topN}`).toEqual(refTopN(cs, nT, N, topN));
        }

        const targets = Float64Array.from({ length: B }, (_, b) => (b % 3 === 0 ? cs[b * k * N]! : b % 5 === 0 ? NaN : rng.normal()));
        expect(gatherDotArgminDistance(users, cand, N, k, U, I, dim, targets, ch)).toBe(true);
        expect(ch).toEqual(refArgmin(cs, nT, k, N, targets));

        const L = 3;
        const alphas = Float64Array.from({ length: nT * L }, (_, i) => (i % 7 === 0 ? 0 : rng.next()));
        const bonus = Float64Array.from({ length: nT * N }, () => rng.next() * 0.3);
        for (const [mix, normalize, withBonus] of [[true, false, false], [true, true, true], [false, true, true], [false, false, false], [true, true, false]] as const) {
          const got = new Int32Array(nT * L).fill(-1);
          const want = new Int32Array(nT * L).fill(-1);
          for (let l = 0; l < L; l++) {
            expect(gatherDotPickLayer({ users, positives, cand, N, k, U, I, dim, alphas, nLayers: L, layer: l, mix, normalize, bonus: withBonus ? bonus : null, chosen: got })).toBe(true);
            refLayer(cs, ps, nT, k, N, alphas, L, l, mix, normalize, withBonus ? bonus : null, want);
          }
          expect(got, `mix ${mix} normalize ${normalize} bonus ${withBonus}`).toEqual(want);
        }

        // Buffers in the arena (no copies) give the same answer.
        const bufs = pickBuffers();
        const candA = bufs.i32(new Int32Array(0), nT * N, U);
        candA.set(cand);
        const chA = bufs.i32(new Int32Array(0), nT, U);
        expect(arena.owns(candA) && arena.owns(chA)).toBe(true);
        expect(gatherDotArgmax(users, candA, N, k, U, I, dim, chA)).toBe(true);
        expect(chA.subarray(0, nT)).toEqual(refArgmax(cs, nT, N));
      });
    }
  }

  it('falls back (returns false) outside an arena and rejects rows out of range', () => {
    const U = new Float32Array(8);
    const I = new Float32Array(8);
    expect(gatherDotArgmax(Int32Array.of(0), Int32Array.of(0), 1, 1, U, I, 4, new Int32Array(1))).toBe(false);
    const arena = createWasmArena();
    const Ua = arena.f32(8);
    const Ia = arena.f32(8);
    expect(() => gatherDotArgmax(Int32Array.of(0), Int32Array.of(2), 1, 1, Ua, Ia, 4, new Int32Array(1))).toThrow(/candidate 2/);
    expect(() => gatherDotArgmax(Int32Array.of(5), Int32Array.of(0), 1, 1, Ua, Ia, 4, new Int32Array(1))).toThrow(/user 5/);
  });

  it('NaN scores pick what the JS loops pick', () => {
    const arena = createWasmArena();
    const dim = 4;
    const U = arena.f32(2 * dim).fill(1);
    const I = arena.f32(4 * dim).fill(0.5);
    I[0] = NaN; // item 0 scores NaN
    I[2 * dim] = 2; // item 2 is the best
    const users = Int32Array.of(0, 1);
    const cand = Int32Array.of(0, 1, 2, 3, 1, 0, 0, 2);
    const cs = new Float64Array(8);
    gatherDotJs(users, cand, 4, U, I, dim, cs);
    const ch = new Int32Array(2);
    gatherDotArgmax(users, cand, 4, 1, U, I, dim, ch);
    expect(ch).toEqual(refArgmax(cs, 2, 4));
    const alphas = new Float64Array(2).fill(0.25);
    const got = new Int32Array(2);
    const want = new Int32Array(2);
    gatherDotPickLayer({ users, positives: Int32Array.of(0, 3), cand, N: 4, k: 1, U, I, dim, alphas, nLayers: 1, layer: 0, mix: true, normalize: true, bonus: null, chosen: got });
    const ps = new Float64Array(2);
    gatherDotJs(users, Int32Array.of(0, 3), 1, U, I, dim, ps);
    refLayer(cs, ps, 2, 1, 4, alphas, 1, 0, true, true, null, want);
    expect(got).toEqual(want);
  });
});
