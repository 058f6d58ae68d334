/**
 * The mixed-negative row kernels of `@dtl/kernels` (`gatherMixedRows` / `scatterMixedRows`, the model
 * side of MixGCF and DTL with mixing) against their JS loops, on amazon-sports shapes: 2048 slots,
 * 2 sources, 8439 items × dim 64, 1 layer (MF) and 4 (LightGCN(3)). Wasm and JS alternate within each
 * rep (so load from other jobs hits both alike); median (best) ms of `--reps`; bit-identity checked.
 *
 *   pnpm --silent bench mixed-rows [--reps 30] [--slots 2048] [--items 8439] [--dim 64]
 */
import { loadavg } from 'node:os';
import { createRng } from '@dtl/core';
import { createWasmArena, gatherMixedRows, gatherMixedRowsJs, scatterMixedRows, scatterMixedRowsJs, wasmKernelsSupported } from '@dtl/kernels';

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

const stats = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[Math.floor(s.length / 2)]!.toFixed(3)} (${s[0]!.toFixed(3)})`;
};

export async function main(args: string[]): Promise<void> {
  const reps = Number(option(args, 'reps', '30'));
  const nSlots = Number(option(args, 'slots', '2048'));
  const nItems = Number(option(args, 'items', '8439'));
  const dim = Number(option(args, 'dim', '64'));
  const S = 2;
  if (!wasmKernelsSupported()) throw new Error('wasm SIMD unavailable');
  process.stdout.write(`load average at start ${loadavg()[0]!.toFixed(2)}; ${nSlots} slots × ${S} sources, ${nItems} items × ${dim}, median (best) ms of ${reps}\n\n| layers | kernel | JS ms | wasm ms | speed-up | bit-identical |\n|---|---|---|---|---|---|\n`);
  for (const L of [1, 4]) {
    const rng = createRng(L);
    const arena = createWasmArena();
    const table = (): Float32Array => {
      const t = arena.f32(nItems * dim);
      for (let i = 0; i < t.length; i++) t[i] = 0.1 * rng.normal();
      return t;
    };
    const layers = Array.from({ length: L }, table);
    const lw = arena.f32(L).fill(1 / L);
    const n = nSlots * L * S;
    const batch = { items: Int32Array.from({ length: n }, () => rng.int(nItems)), weights: Float32Array.from({ length: n }, () => rng.next()), nSlots, nLayers: L, nSources: S };
    const f64 = (m: number): Float64Array => {
      const raw = arena.f32(2 * m);
      return new Float64Array(raw.buffer, raw.byteOffset, m);
    };
    const out = f64(nSlots * dim), out0 = f64(nSlots * dim), jsOut = new Float64Array(nSlots * dim), jsOut0 = new Float64Array(nSlots * dim);
    const user = table();
    const users = Int32Array.from({ length: nSlots }, () => rng.int(nItems));
    const g = Float64Array.from({ length: nSlots }, () => 1e-4 * rng.normal());
    const targets = Array.from({ length: L }, table);
    const jsTargets = targets.map((t) => Float32Array.from(t));
    const jsLw = Float32Array.from(lw), jsUser = Float32Array.from(user);
    const tg: number[][] = [[], []], ts: number[][] = [[], []];
    for (let r = 0; r < reps + 2; r++) {
      let t = performance.now();
      gatherMixedRowsJs(batch, layers, lw, dim, jsOut, jsOut0);
      const gj = performance.now() - t;
      t = performance.now();
      gatherMixedRows(batch, layers, lw, dim, out, out0);
      const gw = performance.now() - t;
      t = performance.now();
      scatterMixedRowsJs(batch, jsTargets, jsLw, dim, jsUser, users, g);
      const sj = performance.now() - t;
      t = performance.now();
      scatterMixedRows(batch, targets, lw, dim, user, users, g);
      const sw = performance.now() - t;
      if (r >= 2) {
        tg[0]!.push(gj); tg[1]!.push(gw); ts[0]!.push(sj); ts[1]!.push(sw);
      }
    }
    const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => {
      for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
      return true;
    };
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    process.stdout.write(`| ${L} | gather | ${stats(tg[0]!)} | ${stats(tg[1]!)} | ${(med(tg[0]!) / med(tg[1]!)).toFixed(2)}× | ${same(out, jsOut) && same(out0, jsOut0) ? 'yes' : 'NO'} |\n`);
    process.stdout.write(`| ${L} | scatter | ${stats(ts[0]!)} | ${stats(ts[1]!)} | ${(med(ts[0]!) / med(ts[1]!)).toFixed(2)}× | ${targets.every((t, l) => same(t, jsTargets[l]!)) ? 'yes' : 'NO'} |\n`);
  }
  process.stdout.write(`\nload average at end ${loadavg()[0]!.toFixed(2)}\n`);
}
