/**
 * The performance table of docs/results.md: evaluation, epoch time per model × sampler (and the
 * sampler's share), tree building, rule-judge throughput and peak memory, on one dataset.
 *
 *   pnpm --silent bench perf [--data DIR] [--threads N] [--epochs E] [--models mf,lightgcn] [--samplers rns,dns,mixgcf,ahns,dtl,dens]
 *
 * `dens` (not in the default list: by far the slowest) trains the model's DENS gates as `dtl train` does.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '@dtl/core';
import type { Codebook, NegativeSampler } from '@dtl/core';
import { loadDataset } from '@dtl/data';
import { readCodeFile, createDualCodebook } from '@dtl/encoding';
import { evaluateRanking } from '@dtl/eval';
import { createSyncTeam } from '@dtl/kernels';
import { openJudgeCache, createRuleJudge, runJudging, topKCandidates } from '@dtl/llm-fn';
import { createLightGcnModel, createMfModel, fit } from '@dtl/models';
import { createAhnsSampler, createDensSampler, createDnsSampler, createDtlSampler, createMixGcfSampler, createRnsSampler } from '@dtl/sampler';
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
  const samplerNames = option(args, 'samplers', 'rns,dns,mixgcf,ahns,dtl').split(',');
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

  // Epoch time per model × sampler (training only, no evaluation).
  for (const modelName of models) {
    for (const s of samplerNames) {
      if (s === 'dtl' && !codes) continue;
      const dens = s === 'dens' ? {} : undefined;
      const model = modelName === 'mf' ? createMfModel({ nUsers: data.nUsers, nItems: data.nItems, team, dens }) : createLightGcnModel({ nUsers: data.nUsers, nItems: data.nItems, train: data.train, layers: 3, team, dens });
      const make = (): NegativeSampler =>
        s === 'rns' ? createRnsSampler()
        : s === 'dns' ? createDnsSampler({ candidates: 10 })
        : s === 'mixgcf' ? createMixGcfSampler({ candidates: 10 })
        : s === 'ahns' ? createAhnsSampler({ candidates: 10 })
        : s === 'dens' ? createDensSampler({ gates: () => model.densGates!, candidates: 6 })
        : createDtlSampler({ codes, candidates: 10 });
      const r = await fit({ model, train: data.train, sampler: make(), epochs });
      const secs = r.history.map((h) => h.seconds);
      const share = r.history.reduce((a, h) => a + h.sampleSeconds, 0) / r.history.reduce((a, h) => a + h.seconds, 0);
      rows.push(`| epoch | ${modelName} + ${s} | ${(secs.reduce((a, b) => a + b, 0) / secs.length).toFixed(2)} s/epoch (sampling ${(100 * share).toFixed(0)}%) | ${threads} |`);
      process.stderr.write(rows[rows.length - 1] + '\n');
    }
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
  rows.push(`| memory | peak resident set of this benchmark process | ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB | |`);
  process.stdout.write(`### Performance — ${data.name ?? dir} (${data.nUsers} users × ${data.nItems} items, ${data.train.indices.length} train pairs)\n\n`);
  process.stdout.write('| what | detail | result | threads |\n|---|---|---|---|\n' + rows.join('\n') + '\n');
}
