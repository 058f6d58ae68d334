/**
 * Dense scoring + masked top-K: the kernels' own paths against tfjs-wasm `matMul` with a
 * pre-transposed item matrix (the fastest tfjs scorer measured for this project).
 *
 *   pnpm --silent bench scoring [--users 10507] [--items 8439] [--dim 64] [--k 50] [--no-js]
 *   pnpm --silent bench scoring --candidates [--users 15138] [--items 8439] [--dim 64] [--batch 2048] [--per 10]
 *
 * Random (seeded) embeddings, one thread, no mask. Prints a markdown table with seconds and the
 * dot-product throughput (GMAC/s = users × items × dim / s / 1e9).
 *
 * `--candidates`: the hard samplers' candidate scoring instead — one batch of `--batch` pairs ×
 * `--per` candidates, gather + float64 dot (`gatherDotScores`, bit-identical on both paths) and the
 * DENS gated score (`densGatedScores`, N 6) — typed-array JS vs WebAssembly SIMD, median CPU time of 50 calls
 * after 30 warm-up calls.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRng } from '@dtl/core';
import { createWasmArena, densGatedScores, densGatedScoresJs, gatherDotJs, gatherDotScores, topKFromScores, topKMasked } from '@dtl/kernels';

/** The few tfjs members used here (tfjs is resolved from @dtl/kernels' devDependencies at run time). */
interface Tensor {
  dataSync(): ArrayLike<number>;
  dispose(): void;
}
interface Tf {
  tensor2d(values: Float32Array, shape: [number, number]): Tensor;
  matMul(a: Tensor, b: Tensor): Tensor;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
}

function arg(args: string[], flag: string, fallback: number): number {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/**
 * Median CPU milliseconds (user + system of this process) of `reps` calls after 30 warm-up calls:
 * on a machine shared with other jobs, wall time mostly measures waiting for a core.
 */
function medianMs(reps: number, f: () => void): number {
  for (let r = 0; r < 30; r++) f();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < 5; i++) f(); // five calls per sample: CPU clocks tick coarsely
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / 5000);
  }
  return times.sort((a, b) => a - b)[reps >> 1]!;
}

function candidates(args: string[]): void {
  const nU = arg(args, '--users', 15138);
  const nI = arg(args, '--items', 8439);
  const dim = arg(args, '--dim', 64);
  const B = arg(args, '--batch', 2048);
  const per = arg(args, '--per', 10);
  const rng = createRng(7);
  const arena = createWasmArena();
  const fill = (a: Float32Array, s: number): Float32Array => {
    for (let i = 0; i < a.length; i++) a[i] = s * rng.normal();
    return a;
  };
  const U = fill(arena.f32(nU * dim), 0.1);
  const I = fill(arena.f32(nI * dim), 0.1);
  const users = Int32Array.from({ length: B }, () => rng.int(nU));
  const cand = Int32Array.from({ length: B * per }, () => rng.int(nI));
  const out = new Float64Array(B * per);
  const rows: string[] = [];
  const js = medianMs(50, () => gatherDotJs(users, cand, per, U, I, dim, out));
  const wasm = medianMs(50, () => gatherDotScores(users, cand, per, U, I, dim, out));
  rows.push(`| gather + float64 dot, ${B} × ${per} candidates | ${js.toFixed(3)} | ${wasm.toFixed(3)} | ${(js / wasm).toFixed(1)}× |`);
  const N = 6;
  const eu = fill(arena.f32(B * dim), 0.1);
  const q = fill(arena.f32(B * dim), 1);
  const ec = fill(arena.f32(B * N * dim), 0.1);
  const zc = fill(arena.f32(B * N * dim), 1);
  const ds = new Float64Array(B * N);
  const djs = medianMs(50, () => densGatedScoresJs(eu, ec, zc, q, B, 1, N, 1, dim, 0.5, ds));
  const dwasm = medianMs(50, () => densGatedScores(eu, ec, zc, q, B, 1, N, 1, dim, 0.5, ds));
  rows.push(`| DENS gated score, ${B} × ${N} candidates, 1 layer | ${djs.toFixed(3)} | ${dwasm.toFixed(3)} | ${(djs / dwasm).toFixed(1)}× |`);
  process.stdout.write(`Candidate scoring, dim ${dim}, tables ${nU} users × ${nI} items, one thread, median CPU ms per batch\n\n`);
  process.stdout.write(['| kernel | typed-array JS | WebAssembly SIMD | speed-up |', '|---|---|---|---|', ...rows].join('\n') + '\n');
}

export async function main(args: string[]): Promise<void> {
  if (args.includes('--candidates')) {
    candidates(args);
    return;
  }
  const nU = arg(args, '--users', 10507);
  const nI = arg(args, '--items', 8439);
  const dim = arg(args, '--dim', 64);
  const k = arg(args, '--k', 50);
  const rng = createRng(7);
  const users = Float32Array.from({ length: nU * dim }, () => 0.1 * rng.normal());
  const items = Float32Array.from({ length: nI * dim }, () => 0.1 * rng.normal());
  const userIds = Int32Array.from({ length: nU }, (_, j) => j);
  const macs = (nU * nI * dim) / 1e9;
  const rows: string[][] = [];
  const record = (name: string, seconds: number) => rows.push([name, seconds.toFixed(3), (macs / seconds).toFixed(1)]);

  // Warm the wasm module (compile + tier-up) on a slice, then time.
  topKMasked({ users, items, dim, userIds: userIds.subarray(0, 64), k, backend: 'wasm' });
  let t = performance.now();
  const wasm = topKMasked({ users, items, dim, userIds, k, backend: 'wasm' });
  record('kernels topKMasked, wasm SIMD (default)', (performance.now() - t) / 1000);
  if (!args.includes('--no-js')) {
    t = performance.now();
    topKMasked({ users, items, dim, userIds, k, backend: 'js' });
    record('kernels topKMasked, js scalar', (performance.now() - t) / 1000);
  }

  // tfjs-wasm, resolved from @dtl/kernels' devDependencies.
  const kernelsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'kernels');
  const req = createRequire(join(kernelsDir, 'package.json'));
  const tf = (await import(pathToFileURL(req.resolve('@tensorflow/tfjs')).href)) as Tf;
  const tfw = (await import(pathToFileURL(req.resolve('@tensorflow/tfjs-backend-wasm')).href)) as { setWasmPaths(path: string): void };
  tfw.setWasmPaths(dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + '/');
  await tf.setBackend('wasm');
  await tf.ready();
  const itemsT = new Float32Array(nI * dim);
  for (let i = 0; i < nI; i++) for (let d = 0; d < dim; d++) itemsT[d * nI + i] = items[i * dim + d]!;
  const it = tf.tensor2d(itemsT, [dim, nI]);
  const batch = 512;
  const run = (select: boolean): number => {
    const start = performance.now();
    for (let b0 = 0; b0 < nU; b0 += batch) {
      const n = Math.min(batch, nU - b0);
      const ub = tf.tensor2d(users.subarray(b0 * dim, (b0 + n) * dim), [n, dim]);
      const s = tf.matMul(ub, it);
      const scores = s.dataSync() as Float32Array;
      ub.dispose();
      s.dispose();
      if (select) topKFromScores({ scores, nItems: nI, userIds: userIds.subarray(b0, b0 + n), k });
    }
    return (performance.now() - start) / 1000;
  };
  run(false); // warm-up
  record(`tfjs-wasm matMul only (pre-transposed, batch ${batch}, ${tf.getBackend()})`, run(false));
  record('tfjs-wasm matMul + topKFromScores (JS heap)', run(true));
  it.dispose();

  process.stdout.write(`${nU} users × ${nI} items × dim ${dim}, top-${k}, one thread (check: first item ${wasm.items[0]})\n\n`);
  process.stdout.write(['| path | seconds | GMAC/s |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') + '\n');
}
