/**
 * Per-batch cost of a training step by model × sampler, on one thread: forward, sampling and
 * `trainStep` timed separately (medians of CPU ms — user + system of this process, steadier than
 * wall time on a shared machine — over `--batches` batches after warm-up; the same batch order for every sampler), to see where an epoch's extra time goes when a
 * hard sampler replaces RNS. Prints a markdown table.
 *
 *   pnpm --silent bench train-step [--data DIR] [--models mf,lightgcn] [--samplers rns,mixgcf,dtl,dens]
 *        [--batches 20] [--batch 2048]
 */
import { loadavg } from 'node:os';
import { createRng, csrRowIds } from '@dtl/core';
import type { NegativeSampler } from '@dtl/core';
import { loadDataset } from '@dtl/data';
import { createLightGcnModel, createMfModel } from '@dtl/models';
import { createAhnsSampler, createDensSampler, createDnsSampler, createMixGcfSampler, createRnsSampler } from '@dtl/sampler';

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function main(args: string[]): Promise<void> {
  const { data } = loadDataset(option(args, 'data', '../shared/data/amazon-sports-dtlns'));
  const models = option(args, 'models', 'mf,lightgcn').split(',');
  const samplers = option(args, 'samplers', 'rns,mixgcf,dens').split(',');
  const nBatches = Number(option(args, 'batches', '20'));
  const batchSize = Number(option(args, 'batch', '2048'));
  const pairUsers = csrRowIds(data.train);
  const nPairs = data.train.indices.length;
  process.stdout.write(`load average at start ${loadavg()[0]!.toFixed(2)}\n\n| model | sampler | forward CPU ms | sample CPU ms | trainStep CPU ms | total CPU ms |\n|---|---|---|---|---|---|\n`);
  for (const m of models) {
    for (const s of samplers) {
      const dens = s === 'dens' ? {} : undefined;
      const model = m === 'mf' ? createMfModel({ nUsers: data.nUsers, nItems: data.nItems, dens }) : createLightGcnModel({ nUsers: data.nUsers, nItems: data.nItems, train: data.train, layers: 3, dens });
      const sampler: NegativeSampler =
        s === 'rns' ? createRnsSampler()
        : s === 'dns' ? createDnsSampler({ candidates: 10 })
        : s === 'ahns' ? createAhnsSampler({ candidates: 10 })
        : s === 'mixgcf' ? createMixGcfSampler({ candidates: 10 })
        : createDensSampler({ gates: () => model.densGates!, candidates: 6 });
      const rng = createRng(3);
      const f: number[] = [], sa: number[] = [], st: number[] = [];
      for (let bi = 0; bi < nBatches + 3; bi++) {
        const users = new Int32Array(batchSize);
        const positives = new Int32Array(batchSize);
        for (let j = 0; j < batchSize; j++) {
          const p = rng.int(nPairs);
          users[j] = pairUsers[p]!;
          positives[j] = data.train.indices[p]!;
        }
        const t0 = cpuMs();
        model.forward();
        const t1 = cpuMs();
        const negatives = sampler.sample({ users, positives, k: 1, exclude: data.train, model, epoch: 1 }, rng);
        const t2 = cpuMs();
        model.trainStep({ users, positives, negatives });
        const t3 = cpuMs();
        if (bi >= 3) {
          f.push(t1 - t0);
          sa.push(t2 - t1);
          st.push(t3 - t2);
        }
      }
      const [mf, ms, mt] = [median(f), median(sa), median(st)];
      process.stdout.write(`| ${m === 'mf' ? 'MF' : 'LightGCN(3)'} | ${s} | ${mf.toFixed(2)} | ${ms.toFixed(2)} | ${mt.toFixed(2)} | ${(mf + ms + mt).toFixed(2)} |\n`);
    }
  }
  process.stdout.write(`\nload average at end ${loadavg()[0]!.toFixed(2)}\n`);
}
