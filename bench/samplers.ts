/**
 * Negative-sampler speed on synthetic data shaped like amazon-sports-dtlns.
 *
 *   pnpm --silent bench samplers [--users 15138] [--items 8439] [--dim 64] [--batch 2048]
 *        [--batches 84] [--layers 4,1] [--budget-ms 3000] [--only rns,dtl,…] [--js]
 *
 * The embeddings live in a WebAssembly arena, as a model built with the wasm kernels keeps them, so
 * the samplers score candidates with the wasm SIMD kernel; `--js` keeps them in plain typed arrays
 * (the typed-array JS scoring path, bit-identical picks).
 * One epoch = `--batches` batches of `--batch` (user, positive) pairs, k = 1 negative per pair.
 * Interactions: ~11 per user with Zipf-like item popularity (171k train pairs at the default size);
 * embeddings: seeded N(0, 0.1²); codebooks for DTL: random 4-ary codes of depth 3–7. Each sampler is
 * warmed up on one batch, then timed on up to `--batches` batches or until `--budget-ms` has passed;
 * the epoch time is the median per batch × batches (the median resists other jobs' bursts on a shared
 * machine); the CPU columns are the same from this process's CPU time (user + system), which waiting
 * for a core on a loaded machine does not inflate. Prints a markdown table.
 */
import { codebookFromPaths, createRng, csrFromPairs } from '@dtl/core';
import type { Csr, ModelView, NegativeSampler, SampleRequest } from '@dtl/core';
import { tryCreateWasmArena } from '@dtl/kernels';
import type { WasmArena } from '@dtl/kernels';
import {
  createAhnsSampler,
  createDensGates,
  createDensSampler,
  createDnsMnSampler,
  createDnsSampler,
  createDtlSampler,
  createMixGcfSampler,
  createPopularitySampler,
  createRnsSampler,
} from '@dtl/sampler';

function flag(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : fallback;
}

function randomModel(nUsers: number, nItems: number, dim: number, nLayers: number, seed: number, arena: WasmArena | undefined): ModelView {
  const rng = createRng(seed);
  const alloc = (n: number): Float32Array => (arena ? arena.f32(n) : new Float32Array(n));
  const mk = (n: number): Float32Array => {
    const a = alloc(n * dim);
    for (let i = 0; i < a.length; i++) a[i] = 0.1 * rng.normal();
    return a;
  };
  const users = Array.from({ length: nLayers }, () => mk(nUsers));
  const items = Array.from({ length: nLayers }, () => mk(nItems));
  const pool = (layers: Float32Array[]): Float32Array => {
    const out = alloc(layers[0]!.length);
    for (const layer of layers) for (let i = 0; i < out.length; i++) out[i] = out[i]! + layer[i]! / nLayers;
    return out;
  };
  const pu = pool(users);
  const pi = pool(items);
  return {
    nUsers,
    nItems,
    dim,
    nLayers,
    layerWeights: new Float32Array(nLayers).fill(1 / nLayers),
    userLayer: (l) => users[l]!,
    itemLayer: (l) => items[l]!,
    pooledUsers: () => pu,
    pooledItems: () => pi,
  };
}

function syntheticTrain(nUsers: number, nItems: number, seed: number): { train: Csr; degrees: Int32Array } {
  const rng = createRng(seed);
  // Zipf(1)-like popularity through an inverse-CDF table over item ranks.
  const cdf = new Float64Array(nItems);
  let acc = 0;
  for (let i = 0; i < nItems; i++) cdf[i] = acc += 1 / (i + 10);
  const draw = (): number => {
    const r = rng.next() * acc;
    let lo = 0;
    let hi = nItems - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const n = 5 + Math.floor(-Math.log(1 - rng.next()) * 6);
    for (let t = 0; t < n; t++) {
      rows.push(u);
      cols.push(draw());
    }
  }
  const train = csrFromPairs(nUsers, nItems, rows, cols).csr;
  const degrees = new Int32Array(nItems);
  for (const i of train.indices) degrees[i]!++;
  return { train, degrees };
}

function randomCodes(nItems: number, seed: number) {
  const rng = createRng(seed);
  const paths = () => Array.from({ length: nItems }, () => Array.from({ length: 3 + rng.int(5) }, () => rng.int(4)));
  return { co: codebookFromPaths(paths()), se: codebookFromPaths(paths()) };
}

export async function main(args: string[]): Promise<void> {
  const nUsers = Number(flag(args, 'users', '15138'));
  const nItems = Number(flag(args, 'items', '8439'));
  const dim = Number(flag(args, 'dim', '64'));
  const B = Number(flag(args, 'batch', '2048'));
  const nBatches = Number(flag(args, 'batches', '84'));
  const budgetMs = Number(flag(args, 'budget-ms', '3000'));
  const layerList = flag(args, 'layers', '4,1').split(',').map(Number);
  const only = flag(args, 'only', '').split(',').filter((s) => s.length > 0);

  const { train, degrees } = syntheticTrain(nUsers, nItems, 1);
  const codes = randomCodes(nItems, 2);
  const nnz = train.indices.length;
  const pairUsers = new Int32Array(nnz);
  for (let u = 0; u < nUsers; u++) pairUsers.fill(u, train.indptr[u]!, train.indptr[u + 1]!);

  const factories: Array<[string, () => NegativeSampler]> = [
    ['rns', () => createRnsSampler()],
    ['pop (α 0.75)', () => createPopularitySampler({ degrees })],
    ['dns (M 10)', () => createDnsSampler()],
    ['dnsmn (top 5 of 10)', () => createDnsMnSampler()],
    ['ahns (M 32)', () => createAhnsSampler()],
    ['ahns (M 10)', () => createAhnsSampler({ candidates: 10 })],
    ['mixgcf (N 10)', () => createMixGcfSampler()],
    ['dtl (N 10, codes)', () => createDtlSampler({ codes })],
    ['dtl over pop candidates', () => createDtlSampler({ codes, candidateSampler: createPopularitySampler({ degrees }) })],
    ['dens (N 6)', () => createDensSampler({ gates: createDensGates(dim, createRng(3)) })],
  ];

  const lines: string[] = [];
  lines.push(`Synthetic ${nUsers} users × ${nItems} items, ${nnz} train pairs, dim ${dim}, batch ${B}, k 1, epoch = ${nBatches} batches, embeddings ${args.includes("--js") ? "in plain typed arrays (JS scoring)" : "in a wasm arena (wasm SIMD scoring)"}.`);
  lines.push('');
  lines.push('| sampler | layers | median ms / batch | mean ms / batch | ms / epoch (median × batches) | median CPU ms / batch | CPU ms / epoch | batches timed |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const nLayers of layerList) {
    const model = randomModel(nUsers, nItems, dim, nLayers, 7 + nLayers, args.includes('--js') ? undefined : tryCreateWasmArena());
    const rng = createRng(11);
    const makeRequest = (): SampleRequest => {
      const users = new Int32Array(B);
      const positives = new Int32Array(B);
      for (let b = 0; b < B; b++) {
        const p = rng.int(nnz);
        users[b] = pairUsers[p]!;
        positives[b] = train.indices[p]!;
      }
      return { users, positives, k: 1, exclude: train, model, epoch: 0 };
    };
    const requests = Array.from({ length: Math.min(nBatches, 8) }, makeRequest);
    for (const [name, make] of factories) {
      if (only.length > 0 && !only.some((o) => name.startsWith(o))) continue;
      const sampler = make();
      const srng = createRng(5);
      sampler.sample(requests[0]!, srng);
      const times: number[] = [];
      const cpu: number[] = [];
      let elapsed = 0;
      while (times.length < nBatches && (times.length === 0 || elapsed < budgetMs)) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        sampler.sample(requests[times.length % requests.length]!, srng);
        const dt = performance.now() - t0;
        const c = process.cpuUsage(c0);
        times.push(dt);
        cpu.push((c.user + c.system) / 1000);
        elapsed += dt;
      }
      const cpuMedian = [...cpu].sort((a, b) => a - b)[cpu.length >> 1]!;
      // The median resists other jobs' bursts on a shared machine better than the mean.
      const median = [...times].sort((a, b) => a - b)[times.length >> 1]!;
      const mean = elapsed / times.length;
      lines.push(
        `| ${name} | ${nLayers} | ${median.toFixed(2)} | ${mean.toFixed(2)} | ${(median * nBatches).toFixed(0)} | ${cpuMedian.toFixed(2)} | ${(cpuMedian * nBatches).toFixed(0)} | ${times.length} |`,
      );
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}
