/**
 * The performance table of docs/results.md: evaluation, epoch time per model × sampler (its
 * sampling share and its ratio to the RNS epoch of the same run), tree building, rule-judge throughput
 * and peak memory, on one dataset.
 *
 *   pnpm --silent bench perf [--data DIR] [--threads N] [--epochs E] [--rounds R] [--models mf,lightgcn]
 *        [--samplers rns,dns,dnsmn,mixgcf,ahns,dtl,dens] [--epochs-only]
 *
 * `dens` trains the model's DENS gates as `dtl train` does. With `--rounds R` every model × sampler
 * is trained R times, the samplers interleaved within each round (so a burst of load from other
 * processes hits all of them alike); the table shows the median epoch time and the min–max of the
 * per-round ratios to RNS. Each model × sampler trains in a fresh child process (`--child`), so one
 * sampler's JIT state (a model's train step sees only one negative layout) and memory never leak into
 * another's numbers; the peak RSS column is that child's. `--epochs-only` skips evaluation, trees and
 * the judge.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '@dtl/core';
import type { Codebook, NegativeSampler } from '@dtl/core';
import { loadDataset } from '@dtl/data';
import { readCodeFile, createDualCodebook } from '@dtl/encoding';
import { evaluateRanking } from '@dtl/eval';
import { createSyncTeam } from '@dtl/kernels';
import { openJudgeCache, createRuleJudge, runJudging, topKCandidates } from '@dtl/llm-fn';
import { createLightGcnModel, createMfModel, fit } from '@dtl/models';
import { createAhnsSampler, createDensSampler, createDnsMnSampler, createDnsSampler, createDtlSampler, createMixGcfSampler, createRnsSampler } from '@dtl/sampler';
import { createKmeansTreeBuilder, createSpectralKmeansBuilder } from '@dtl/trees';

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

export async function main(args: string[]): Promise<void> {
  const dir = option(args, 'data', '../shared/data/amazon-sports-dtlns');
  const threads = Number(option(args, 'threads', '2'));
  const epochs = Number(option(args, 'epochs', '2'));
  const models = option(args, 'models', 'mf,lightgcn').split(',');
  const samplerNames = option(args, 'samplers', 'rns,dns,dnsmn,mixgcf,ahns,dtl,dens').split(',');
  const rounds = Number(option(args, 'rounds', '1'));
  const epochsOnly = args.includes('--epochs-only');
  const childSpec = option(args, 'child', '');
  const { data } = loadDataset(dir);
  const rows: string[] = [];
  const rng = createRng(1);
  const team = createSyncTeam({ threads });

  // Codes for the DTL sampler: the authors' files when present (amazon-sports-dtlns), else one tree built here.
  const extras = join(dir, 'raw', 'extras');
  let codes: { co: Codebook; se: Codebook } | undefined;
  if (existsSync(join(extras, 'Sports_struct_path_encoding.txt'))) {
    const o = { offset: data.nUsers, nItems: data.nItems };
    codes = createDualCodebook(readCodeFile(join(extras, 'Sports_struct_path_encoding.txt'), o).codebook, readCodeFile(join(extras, 'Sports_semantic_path_encoding.txt'), o).codebook);
  }

  if (childSpec) {
    const [modelName, s] = childSpec.split(':') as [string, string];
    const dens = s === 'dens' ? {} : undefined;
    const model = modelName === 'mf' ? createMfModel({ nUsers: data.nUsers, nItems: data.nItems, team, dens }) : createLightGcnModel({ nUsers: data.nUsers, nItems: data.nItems, train: data.train, layers: 3, team, dens });
    const sampler: NegativeSampler =
      s === 'rns' ? createRnsSampler()
      : s === 'dns' ? createDnsSampler({ candidates: 10 })
      : s === 'dnsmn' ? createDnsMnSampler({ candidates: 10, topN: 5 })
      : s === 'mixgcf' ? createMixGcfSampler({ candidates: 10 })
      : s === 'ahns' ? createAhnsSampler({ candidates: 10 })
      : s === 'dens' ? createDensSampler({ gates: () => model.densGates!, candidates: 6 })
      : s === 'dtl' ? createDtlSampler({ codes, candidates: 10 })
      : (() => { throw new Error(`unknown sampler ${s}`); })();
    const cpu0 = process.cpuUsage();
    const r = await fit({ model, train: data.train, sampler, epochs });
    const cpu = process.cpuUsage(cpu0);
    team.close();
    const secs = r.history.reduce((a, h) => a + h.seconds, 0) / r.history.length;
    const share = r.history.reduce((a, h) => a + h.sampleSeconds, 0) / r.history.reduce((a, h) => a + h.seconds, 0);
    // CPU seconds of this process per epoch: on a machine shared with other jobs, wall time includes
    // waiting for a core, CPU time much less so (with one thread it is the work done, plus GC/JIT threads).
    const cpuSecs = (cpu.user + cpu.system) / 1e6 / r.history.length;
    process.stdout.write(JSON.stringify({ secs, cpuSecs, share, rssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
    return;
  }

  // Epoch time per model × sampler (training only, no evaluation), one child process per run;
  // rounds interleave the samplers.
  const median = (v: number[]): number => {
    const a = [...v].sort((x, y) => x - y);
    return a.length % 2 ? a[a.length >> 1]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
  };
  const epochRows: string[] = [];
  const runner = fileURLToPath(new URL('./run.ts', import.meta.url));
  for (const modelName of models) {
    const runs = new Map<string, { secs: number[]; cpu: number[]; shares: number[]; rss: number[] }>();
    for (let round = 0; round < rounds; round++) {
      for (const s of samplerNames) {
        if (s === 'dtl' && !codes) continue;
        const child = spawnSync(process.execPath, [...process.execArgv, runner, 'perf', '--child', `${modelName}:${s}`, '--data', dir, '--threads', String(threads), '--epochs', String(epochs)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
        const last = child.stdout.trim().split('\n').pop() ?? '';
        if (child.status !== 0 || !last.startsWith('{')) throw new Error(`perf child ${modelName}:${s} failed (status ${child.status}): ${child.stdout.slice(-400)}`);
        const r = JSON.parse(last) as { secs: number; cpuSecs: number; share: number; rssMiB: number };
        const entry = runs.get(s) ?? { secs: [], cpu: [], shares: [], rss: [] };
        entry.secs.push(r.secs);
        entry.cpu.push(r.cpuSecs);
        entry.shares.push(r.share);
        entry.rss.push(r.rssMiB);
        runs.set(s, entry);
        process.stderr.write(`round ${round + 1}/${rounds}: ${modelName} + ${s}: ${r.secs.toFixed(3)} s/epoch, ${r.cpuSecs.toFixed(3)} CPU s/epoch (sampling ${(100 * r.share).toFixed(0)}%, peak RSS ${r.rssMiB.toFixed(0)} MiB)\n`);
      }
    }
    const rns = runs.get('rns');
    const range = (v: number[], digits: number): string => median(v).toFixed(digits) + (v.length > 1 ? ` (${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)})` : '');
    for (const [s, e] of runs) {
      const ratio = (mine: number[], base: number[] | undefined): string => (base && s !== 'rns' ? range(mine.map((v, i) => v / base[i]!), 2) + '×' : '');
      epochRows.push(`| ${modelName === 'mf' ? 'MF' : 'LightGCN(3)'} | ${s} | ${range(e.secs, 3)} | ${ratio(e.secs, rns?.secs)} | ${range(e.cpu, 3)} | ${ratio(e.cpu, rns?.cpu)} | ${(100 * median(e.shares)).toFixed(0)}% | ${Math.max(...e.rss).toFixed(0)} |`);
    }
  }

  if (epochsOnly) {
    team.close();
    printTables(dir, data, threads, epochs, rounds, epochRows, [`| memory | peak resident set of the parent process (each training run's is in the table above) | ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB | |`]);
    return;
  }
  // Evaluation of random embeddings.
  const dim = 64;
  const users = new Float32Array(data.nUsers * dim).map(() => rng.normal() * 0.1);
  const items = new Float32Array(data.nItems * dim).map(() => rng.normal() * 0.1);
  for (const workers of [1, threads]) {
    const t0 = performance.now();
    await evaluateRanking({ users: { rows: data.nUsers, dim, data: users }, items: { rows: data.nItems, dim, data: items }, mask: data.train, relevant: data.test!, workers });
    rows.push(`| evaluation | test split, full ranking | ${((performance.now() - t0) / 1000).toFixed(2)} s | ${workers} |`);
  }

  // Trees: co (spectral + k-means) and se (k-means over 64-d vectors).
  let t0 = performance.now();
  createSpectralKmeansBuilder({ dim: 32, k: 4, leafSize: 30 }).build(data.train, rng.fork('co'));
  rows.push(`| trees | co: spectral embedding + balanced k-means | ${((performance.now() - t0) / 1000).toFixed(2)} s | 1 |`);
  t0 = performance.now();
  createKmeansTreeBuilder({ k: 4, leafSize: 30 }).build({ rows: data.nItems, dim, data: items }, rng.fork('se'));
  rows.push(`| trees | se: balanced k-means over item embeddings | ${((performance.now() - t0) / 1000).toFixed(2)} s | 1 |`);

  // Rule judge throughput over every user's top-20 candidates (fresh in-memory cache).
  if (codes) {
    t0 = performance.now();
    const candidates = topKCandidates({ users, items, dim, train: data.train, k: 20 });
    const cache = openJudgeCache(':memory:');
    const out = await runJudging({ judge: createRuleJudge({ threshold: 1 }), codes, history: data.train, candidates, granularity: 'user', cache });
    cache.close();
    const s = (performance.now() - t0) / 1000;
    rows.push(`| judge | rule, ${out.stats.requests} users × 20 candidates (candidates + judging + cache) | ${s.toFixed(2)} s (${(out.stats.requests / s).toFixed(0)} users/s) | 1 |`);
  }
  team.close();
  rows.push(`| memory | peak resident set of the parent process: evaluation, trees, judge (each training run's is in the table above) | ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB | |`);
  printTables(dir, data, threads, epochs, rounds, epochRows, rows);
}

function printTables(dir: string, data: { name?: string | undefined; nUsers: number; nItems: number; train: { indices: Int32Array } }, threads: number, epochs: number, rounds: number, epochRows: string[], rows: string[]): void {
  process.stdout.write(`### Performance — ${data.name ?? dir} (${data.nUsers} users × ${data.nItems} items, ${data.train.indices.length} train pairs)\n\n`);
  process.stdout.write(`Epoch time (training only), ${threads} thread(s), ${epochs} epoch(s) per run, one child process per run, median (min–max) over ${rounds} round(s); ratio = epoch / RNS epoch of the same round:\n\n`);
  process.stdout.write('| model | sampler | wall s/epoch | wall ratio to RNS | CPU s/epoch | CPU ratio to RNS | sampling share (wall) | peak RSS MiB |\n|---|---|---|---|---|---|---|---|\n' + epochRows.join('\n') + '\n\n');
  process.stdout.write('| what | detail | result | threads |\n|---|---|---|---|\n' + rows.join('\n') + '\n');
}
