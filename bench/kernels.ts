/**
 * Training-kernel speed: JS vs WebAssembly SIMD SpMM and dense Adam, 1 vs 2 threads, and the
 * resulting time per training batch / epoch of MF and LightGCN(3).
 *
 *   pnpm --silent bench kernels --data /work/shared/data/amazon-sports-dtlns
 *        [--dim 64] [--batch 2048] [--reps 15] [--batches 12] [--only kernels|models]
 *
 * Kernels run on the dataset's normalized bipartite adjacency (LightGCN's Â) and one parameter
 * table of (nUsers + nItems) × dim floats. "js" uses arrays in plain SharedArrayBuffers (the JS
 * kernels of spmm.ts / adam.ts), "wasm" the same data in a WasmArena; "2 threads" runs through
 * `createSyncTeam({ threads: 2 })`. Batches: `--batch` random train pairs, one RNS negative each,
 * timed as forward + sampling + trainStep (what `fit` does per batch); after 2 warm-up batches the
 * median over `--batches` is reported (the median resists other jobs' bursts on a shared machine),
 * and the best batch (closest to an unloaded machine); s/epoch = that × ceil(train pairs / batch).
 * Prints markdown tables.
 *
 * `--only gemm` (no dataset needed) times the dense products of `createDenseMatmul` (DENS's gates)
 * on one thread: the old route (the dense A as a CSR matrix with every column, through the wasm
 * SpMM kernel) against the register-blocked wasm GEMM, and `linear` with bias + accumulate (old:
 * SpMM product, then the JS epilogue) against the fused GEMM. Old and new alternate within each rep.
 *
 *   pnpm --silent bench kernels --only gemm [--shapes 49152x64x64,64x49152x64] [--reps 15]
 */
import { availableParallelism, loadavg } from 'node:os';
import { createRng } from '@dtl/core';
import type { WeightedCsr } from '@dtl/core';
import { loadDataset } from '@dtl/data';
import {
  adamDenseRange,
  createCompute,
  createDenseMatmul,
  createSyncTeam,
  createWasmArena,
  spmm,
  wasmKernelsSupported,
} from '@dtl/kernels';
import type { SyncTeam } from '@dtl/kernels';
import { createLightGcnModel, createMfModel, normalizedBipartiteAdjacency } from '@dtl/models';
import { createRnsSampler } from '@dtl/sampler';

function flag(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function timeMs(fn: () => void, reps: number): number {
  fn();
  fn();
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

const sharedF32 = (n: number): Float32Array => new Float32Array(new SharedArrayBuffer(n * 4));

/** Medians (and minima) of ms per call of each function, the functions alternating within a rep. */
function timeAlternating(fns: Array<() => void>, reps: number): Array<{ median: number; best: number }> {
  for (const fn of fns) fn(), fn();
  const times = fns.map((): number[] => []);
  for (let r = 0; r < reps; r++) {
    fns.forEach((fn, i) => {
      const t = performance.now();
      fn();
      times[i]!.push(performance.now() - t);
    });
  }
  return times.map((ts) => ({ median: median(ts), best: Math.min(...ts) }));
}

function gemmBench(args: string[]): void {
  const reps = Number(flag(args, 'reps', '15'));
  const shapes = flag(args, 'shapes', '49152x64x64,64x49152x64').split(',').map((s) => s.split('x').map(Number) as [number, number, number]);
  process.stdout.write(
    `## Dense matmul (createDenseMatmul), one thread\n\nNode ${process.version}, ${availableParallelism()} cores, load average at start ${loadavg()[0]!.toFixed(2)} (shared machine); ` +
      `wasm SIMD ${wasmKernelsSupported() ? 'available' : 'UNAVAILABLE'}; median (best) of ${reps} alternating reps\n\n` +
      `| product | n | k | m | old: SpMM as GEMM ms | old GFLOP/s | new: wasm GEMM ms | new GFLOP/s | speed-up | bit-identical |\n|---|---|---|---|---|---|---|---|---|---|\n`,
  );
  if (!wasmKernelsSupported()) return;
  for (const [n, k, m] of shapes) {
    const arena = createWasmArena({ initialBytes: 4 * (3 * n * k + 2 * k * m + 4 * n * m + n + 1) + (1 << 20) });
    const mm = createDenseMatmul({ arena });
    // One thread on the same arena: compute.spmm is the wasm SpMM kernel there.
    const compute = createCompute({ arena });
    const rng = createRng(3);
    const a = arena.f32(n * k);
    const x = arena.f32(k * m);
    for (let i = 0; i < a.length; i++) a[i] = rng.normal();
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    const csr: WeightedCsr = { nRows: n, nCols: k, indptr: arena.i32(n + 1), indices: arena.i32(n * k), values: a };
    for (let r = 0; r <= n; r++) csr.indptr[r] = r * k;
    for (let t = 0; t < n * k; t++) csr.indices[t] = t % k;
    const yOld = arena.f32(n * m);
    const yNew = arena.f32(n * m);
    const flop = 2 * n * k * m;
    const same = (p: Float32Array, q: Float32Array): boolean => {
      const u = new Uint32Array(p.buffer, p.byteOffset, p.length);
      const v = new Uint32Array(q.buffer, q.byteOffset, q.length);
      return u.every((b, i) => b === v[i]);
    };
    const row = (what: string, old: { median: number; best: number }, neu: { median: number; best: number }, identical: boolean): string =>
      `| ${what} | ${n} | ${k} | ${m} | ${old.median.toFixed(2)} (${old.best.toFixed(2)}) | ${(flop / old.median / 1e6).toFixed(1)} | ` +
      `${neu.median.toFixed(2)} (${neu.best.toFixed(2)}) | ${(flop / neu.median / 1e6).toFixed(1)} | ${(old.median / neu.median).toFixed(2)}× | ${identical ? 'yes' : 'NO'} |\n`;
    const [old, neu] = timeAlternating([() => compute.spmm(csr, x, yOld, m), () => mm.matmul(a, x, yNew, n, k, m)], reps);
    process.stdout.write(row('Y = A·X', old!, neu!, same(yOld, yNew)));
    if (k <= 1024) {
      // linear(A, W, b, Y, accumulate): W = Xᵀ in nn.Linear layout; old = the SpMM product + JS epilogue.
      const w = arena.f32(m * k);
      for (let r = 0; r < m; r++) for (let c = 0; c < k; c++) w[r * k + c] = x[c * m + r]!;
      const bias = arena.f32(m);
      for (let c = 0; c < m; c++) bias[c] = rng.normal();
      const tmp = arena.f32(n * m);
      yOld.fill(0);
      yNew.fill(0);
      const linearOld = (): void => {
        mm.transpose(w, x, m, k); // what the old linear did (X already holds Wᵀ)
        compute.spmm(csr, x, tmp, m);
        for (let r = 0; r < n; r++) {
          const o = r * m;
          for (let c = 0; c < m; c++) yOld[o + c] = yOld[o + c]! + tmp[o + c]! + bias[c]!;
        }
      };
      const [lo, ln] = timeAlternating([linearOld, () => mm.linear(a, w, bias, yNew, n, k, m, true)], reps);
      process.stdout.write(row('linear, bias + accumulate', lo!, ln!, same(yOld, yNew)));
    }
  }
  process.stdout.write(`\nload average at end ${loadavg()[0]!.toFixed(2)}\n`);
}

export async function main(args: string[]): Promise<void> {
  const dir = flag(args, 'data', '/work/shared/data/amazon-sports-dtlns');
  const dim = Number(flag(args, 'dim', '64'));
  const batchSize = Number(flag(args, 'batch', '2048'));
  const reps = Number(flag(args, 'reps', '15'));
  const nBatches = Number(flag(args, 'batches', '12'));
  const only = flag(args, 'only', 'all');
  if (only === 'gemm') {
    gemmBench(args);
    return;
  }
  const { data } = loadDataset(dir);
  const wasm = wasmKernelsSupported();
  const adj = normalizedBipartiteAdjacency(data.train);
  const nNodes = adj.nRows;
  const size = nNodes * dim;
  const nnz = adj.indptr[nNodes]!;
  const trainPairs = data.train.indptr[data.train.nRows]!;
  const perEpoch = Math.ceil(trainPairs / batchSize);
  const load0 = loadavg()[0]!;
  process.stdout.write(
    `## Training kernels — ${dir.split('/').pop()}: ${data.nUsers} users + ${data.nItems} items, Â with ${nnz} nnz, dim ${dim}\n\n` +
      `Node ${process.version}, ${availableParallelism()} cores, load average at start ${load0.toFixed(2)} (shared machine); wasm SIMD ${wasm ? 'available' : 'UNAVAILABLE'}\n\n`,
  );
  const team2 = createSyncTeam({ threads: 2 });
  try {
    if (only === 'all' || only === 'kernels') {
      const rng = createRng(1);
      // JS data in SharedArrayBuffers (needed by the team's JS path).
      const xJs = sharedF32(size);
      for (let i = 0; i < size; i++) xJs[i] = 0.1 * rng.normal();
      const yJs = sharedF32(size);
      const adam = (alloc: (n: number) => Float32Array) => {
        const o = { p: alloc(size), g: alloc(size), m: alloc(size), v: alloc(size) };
        const r = createRng(2);
        for (let i = 0; i < size; i++) {
          o.p[i] = 0.1 * r.normal();
          o.g[i] = i % 5 === 0 ? 0 : 1e-3 * r.normal();
        }
        return o;
      };
      const aJs = adam(sharedF32);
      const h = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
      let t = 1;
      const rows: string[] = [];
      const spmmJs1 = timeMs(() => spmm(adj, xJs, yJs, dim), reps);
      const spmmJs2 = timeMs(() => team2.spmm(adj, xJs, yJs, dim), reps);
      const adamJs1 = timeMs(() => adamDenseRange(aJs.p, aJs.g, aJs.m, aJs.v, h, t++, 0, size), reps);
      const adamJs2 = timeMs(() => team2.adamDense(aJs.p, aJs.g, aJs.m, aJs.v, h, t++), reps);
      rows.push(`| js | 1 | ${spmmJs1.toFixed(2)} | ${((nnz * dim) / spmmJs1 / 1e6).toFixed(2)} | ${adamJs1.toFixed(2)} |`);
      rows.push(`| js | 2 | ${spmmJs2.toFixed(2)} | ${((nnz * dim) / spmmJs2 / 1e6).toFixed(2)} | ${adamJs2.toFixed(2)} |`);
      if (wasm) {
        const arena = createWasmArena({ initialBytes: 4 * (7 * size + 3 * nnz + nNodes) + (1 << 20) });
        const a: WeightedCsr = { nRows: nNodes, nCols: nNodes, indptr: arena.i32(nNodes + 1), indices: arena.i32(nnz), values: arena.f32(nnz) };
        a.indptr.set(adj.indptr);
        a.indices.set(adj.indices.subarray(0, nnz));
        a.values.set(adj.values.subarray(0, nnz));
        const x = arena.f32(size);
        x.set(xJs);
        const y = arena.f32(size);
        const aW = adam((n) => arena.f32(n));
        const compute = createCompute({ arena });
        const spmmW1 = timeMs(() => compute.spmm(a, x, y, dim), reps);
        const spmmW2 = timeMs(() => team2.spmm(a, x, y, dim), reps);
        const adamW1 = timeMs(() => compute.adamDense(aW.p, aW.g, aW.m, aW.v, h, t++), reps);
        const adamW2 = timeMs(() => team2.adamDense(aW.p, aW.g, aW.m, aW.v, h, t++), reps);
        rows.push(`| wasm SIMD | 1 | ${spmmW1.toFixed(2)} | ${((nnz * dim) / spmmW1 / 1e6).toFixed(2)} | ${adamW1.toFixed(2)} |`);
        rows.push(`| wasm SIMD | 2 | ${spmmW2.toFixed(2)} | ${((nnz * dim) / spmmW2 / 1e6).toFixed(2)} | ${adamW2.toFixed(2)} |`);
      }
      process.stdout.write(
        `### Kernels (median of ${reps})\n\n| kernels | threads | SpMM Â·X ms | SpMM GMAC/s | dense Adam ms (${size} floats) |\n|---|---|---|---|---|\n${rows.join('\n')}\n\n`,
      );
    }
    if (only === 'all' || only === 'models') {
      const rows: string[] = [];
      const sampler = createRnsSampler();
      for (const kind of ['mf', 'lightgcn'] as const) {
        for (const useWasm of wasm ? [false, true] : [false]) {
          for (const threads of [1, 2]) {
            const team: SyncTeam | undefined = threads > 1 ? team2 : undefined;
            const common = { nUsers: data.nUsers, nItems: data.nItems, dim, team, wasm: useWasm };
            const model = kind === 'mf' ? createMfModel(common) : createLightGcnModel({ ...common, train: data.train, layers: 3 });
            const rng = createRng(7);
            const users = new Int32Array(batchSize);
            const positives = new Int32Array(batchSize);
            const times: number[] = [];
            const parts = { forward: [] as number[], sample: [] as number[], step: [] as number[] };
            // The JS LightGCN path is slow; fewer batches keep the run short.
            const count = kind === 'lightgcn' && !useWasm ? Math.min(nBatches, 5) : nBatches;
            for (let it = 0; it < count + 2; it++) {
              for (let b = 0; b < batchSize; b++) {
                const k = rng.int(trainPairs);
                let lo = 0;
                let hi = data.train.nRows;
                while (hi - lo > 1) {
                  const mid = (lo + hi) >> 1;
                  if (data.train.indptr[mid]! <= k) lo = mid;
                  else hi = mid;
                }
                users[b] = lo;
                positives[b] = data.train.indices[k]!;
              }
              const t0 = performance.now();
              model.forward();
              const t1 = performance.now();
              const negatives = sampler.sample({ users, positives, k: 1, exclude: data.train, model, epoch: 1 }, rng);
              const t2 = performance.now();
              model.trainStep({ users, positives, negatives });
              const t3 = performance.now();
              if (it >= 2) {
                times.push(t3 - t0);
                parts.forward.push(t1 - t0);
                parts.sample.push(t2 - t1);
                parts.step.push(t3 - t2);
              }
            }
            const ms = median(times);
            rows.push(
              `| ${kind === 'mf' ? 'MF' : 'LightGCN(3)'} | ${useWasm ? 'wasm SIMD' : 'js'} | ${threads} | ${median(parts.forward).toFixed(1)} | ${median(parts.sample).toFixed(1)} | ${median(parts.step).toFixed(1)} | ${ms.toFixed(1)} | ${Math.min(...times).toFixed(1)} | ${((ms * perEpoch) / 1000).toFixed(2)} | ${((Math.min(...times) * perEpoch) / 1000).toFixed(2)} |`,
            );
          }
        }
      }
      process.stdout.write(
        `### Training batches (${batchSize} pairs, 1 RNS negative, Adam; ${perEpoch} batches/epoch; median of ${nBatches} after 2 warm-up, 5 for js LightGCN)\n\n` +
          `| model | kernels | threads | forward ms | sample ms | trainStep ms | ms/batch | best ms/batch | s/epoch | s/epoch at best |\n|---|---|---|---|---|---|---|---|---|---|\n${rows.join('\n')}\n\n`,
      );
    }
  } finally {
    team2.close();
  }
  process.stdout.write(`load average at end ${loadavg()[0]!.toFixed(2)}\n`);
}
