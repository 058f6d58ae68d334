/**
 * Test fixtures: plausible `dtl train` and `dtl run` directories written from a seeded RNG, so the
 * report's tests depend on neither the trainer nor the pipeline code. Used by the report tests only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '@dtl/core';
import type { Rng } from '@dtl/core';
import { writePipelineJson, writeResultJson, writeRunJson } from '../../run-dir/index.ts';
import type { ResultJson, RunJson } from '../../run-dir/index.ts';

const KS = [5, 10, 20, 30, 50] as const;

function metricsAt(rng: Rng, level: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of KS) {
    const scale = Math.sqrt(k / 20);
    const recall = Math.min(1, level * scale * (0.95 + 0.1 * rng.next()));
    out[`recall@${k}`] = recall;
    out[`ndcg@${k}`] = recall * 0.45;
    out[`precision@${k}`] = recall / k;
    out[`hit@${k}`] = Math.min(1, recall * 1.4);
    out[`mrr@${k}`] = recall * 0.3;
  }
  return out;
}

export interface TrainFixtureOptions {
  readonly seed?: number;
  readonly model?: string;
  readonly sampler?: Record<string, unknown>;
  readonly epochs?: number;
  readonly evalEvery?: number;
  readonly protocol?: 'clean' | 'paper';
  /** Dataset folder named in run.json (need not exist). */
  readonly data?: string;
  /** Write result.json (default true). */
  readonly finished?: boolean;
}

export interface TrainFixture {
  readonly dir: string;
  readonly bestEpoch: number;
  readonly test: Record<string, number>;
  readonly valid: Record<string, number>;
  readonly evalEpochs: number;
}

/** Writes `run.json` (+ `result.json` with a history) like `dtl train` does. */
export function writeTrainRunFixture(dir: string, options: TrainFixtureOptions = {}): TrainFixture {
  const rng = createRng(options.seed ?? 1);
  const epochs = options.epochs ?? 12;
  const evalEvery = options.evalEvery ?? 3;
  const protocol = options.protocol ?? 'clean';
  const data = options.data ?? '/nonexistent/dtl-fixture-data';
  const config = {
    data,
    model: options.model ?? 'mf',
    sampler: options.sampler ?? { name: 'rns' },
    epochs,
    evalEvery,
    patience: 10,
    seed: 2022,
    lr: 0.001,
    dim: 64,
    layers: 3,
    batchSize: 2048,
    l2: 1e-4,
    optimizer: 'adam',
    negatives: 1,
    carveValid: 0.1,
  };
  mkdirSync(dir, { recursive: true });
  // The real writers of run-dir/ (the shapes are the report's partial view, hence the casts).
  writeRunJson(dir, { format: 'dtl-train-run', version: 1, data, config, protocol, leaky: protocol === 'paper', fingerprint: 'f1x7ure', created: '2026-01-02T03:04:05.000Z' } as unknown as RunJson);
  const history: Array<Record<string, unknown>> = [];
  let best = { epoch: 0, recall: -1, valid: {} as Record<string, number>, test: {} as Record<string, number> };
  let evalEpochs = 0;
  for (let e = 1; e <= epochs; e++) {
    const loss = 0.693 * Math.exp(-e / (epochs * 0.8)) + 0.05 * rng.next();
    const seconds = 0.5 + 0.1 * rng.next();
    const rec: Record<string, unknown> = { epoch: e, loss, reg: 0.001 * rng.next(), seconds, sampleSeconds: seconds * 0.2 };
    if (e % evalEvery === 0) {
      const level = 0.05 + 0.1 * (1 - Math.exp(-e / 5));
      const valid = metricsAt(rng, level);
      const test = metricsAt(rng, level * 0.9);
      Object.assign(rec, { valid, test, evalSeconds: 0.2 });
      evalEpochs++;
      if (valid['recall@20']! > best.recall) best = { epoch: e, recall: valid['recall@20']!, valid, test };
    }
    history.push(rec);
  }
  if (options.finished !== false) {
    writeResultJson(
      dir,
        {
          runDir: dir,
          best_epoch: best.epoch,
          valid: best.valid,
          test: best.test,
          epochs_run: epochs,
          seconds_per_epoch: 0.55,
          stopped_early: false,
          resumed_from_epoch: 0,
          backend: 'js-kernels (2 threads)',
          sample_share: 0.2,
          protocol,
          leaky: protocol === 'paper',
          history,
        } as unknown as ResultJson,
    );
  }
  return { dir, bestEpoch: best.epoch, test: best.test, valid: best.valid, evalEpochs };
}

export interface PipelineFixtureOptions {
  readonly seed?: number;
  readonly protocol?: 'clean' | 'paper';
  /** `config.name` (the report's display name). */
  readonly name?: string;
  /** Optional sections to leave out, to test a tolerant reader. */
  readonly omit?: ReadonlyArray<'trees' | 'fni' | 'stages' | 'dataset' | 'pretrain' | 'test' | 'similarity'>;
  /** Stage names to use (default the pipeline's six). */
  readonly stageNames?: readonly string[];
  readonly sampler?: Record<string, unknown>;
  /** Also write a baseline stage (`stages/baseline`, LightGCN + MixGCF; issue 19). */
  readonly baseline?: boolean;
}

export interface PipelineFixture {
  readonly dir: string;
  readonly pretrain: TrainFixture;
  readonly train: TrainFixture;
  readonly baseline?: TrainFixture | undefined;
  readonly test: Record<string, number>;
}

/** Writes a `dtl run` directory: `pipeline.json` and two train runs under `stages/`. */
export function writePipelineFixture(dir: string, options: PipelineFixtureOptions = {}): PipelineFixture {
  const seed = options.seed ?? 7;
  const rng = createRng(seed);
  const protocol = options.protocol ?? 'clean';
  const omit = new Set(options.omit ?? []);
  mkdirSync(dir, { recursive: true });
  const pretrain = writeTrainRunFixture(join(dir, 'stages', 'pretrain'), { seed: seed + 1, model: 'mf', epochs: 9, evalEvery: 3, protocol: 'clean' });
  const train = writeTrainRunFixture(join(dir, 'stages', 'train'), {
    seed: seed + 2,
    model: 'lightgcn',
    sampler: options.sampler ?? { name: 'dtl', alpha: 0.5, beta: 0.5, candidates: 10 },
    epochs: 15,
    evalEvery: 5,
    protocol,
  });
  const baseline = options.baseline
    ? writeTrainRunFixture(join(dir, 'stages', 'baseline'), { seed: seed + 3, model: 'lightgcn', sampler: { name: 'mixgcf', candidates: 10 }, epochs: 15, evalEvery: 5, protocol: 'clean' })
    : undefined;
  const stageNames = options.stageNames ?? ['data', 'pretrain', 'trees', 'candidates', 'judge', 'train', ...(baseline ? ['baseline'] : [])];
  const stages: Record<string, { seconds: number; skipped: boolean }> = {};
  stageNames.forEach((name, k) => (stages[name] = { seconds: 0.2 + 5 * rng.next(), skipped: k === 0 }));
  const codeStats = (leaves: number) => ({ nItems: 200, depthMin: 2, depthMax: 4, depthMean: 3.1, leaves, leafSizeMin: 1, leafSizeMedian: 4, leafSizeMax: 12 });
  const pipeline: Record<string, unknown> = {
    format: 'dtl-pipeline-run',
    version: 1,
    protocol,
    leaky: protocol === 'paper',
    config: { ...(options.name !== undefined ? { name: options.name } : {}), data: '/nonexistent/dtl-fixture-data', model: 'lightgcn', judge: { kind: 'rule' } },
    dataset: {
      name: 'synthetic-fixture',
      nUsers: 300,
      nItems: 200,
      interactions: { train: 2101, valid: 326, test: 613, total: 3040 },
      density: 0.0507,
      userDegree: { min: 1, median: 8.5, mean: 10.13, max: 40 },
      itemDegree: { min: 1, median: 13, mean: 15.2, max: 52 },
      trainUserDegree: { min: 1, median: 5.5, mean: 7, max: 28 },
      trainItemDegree: { min: 0, median: 9, mean: 10.51, max: 39 },
      usersWithTrain: 300,
      itemsWithTrain: 198,
      usersWithValid: 261,
      usersWithTest: 294,
      usersWithAny: 300,
      itemsWithAny: 200,
      overlaps: { trainValid: 0, trainTest: 0, validTest: 0 },
      cold: { valid: { users: 0, items: 2, userInteractions: 0, itemInteractions: 2 }, test: { users: 0, items: 0, userInteractions: 0, itemInteractions: 0 } },
    },
    stages,
    trees: {
      co: { builder: 'spectral-kmeans', stats: codeStats(61), maxResidual: 3.2e-7 },
      se: { builder: 'kmeans', stats: codeStats(58) },
      ...(omit.has('similarity') ? {} : { similarity: { co: { sameUser: 0.41, random: 0.22 }, se: { sameUser: 0.37, random: 0.21 } } }),
    },
    fni: { judge: 'rule', calls: 0, cached: 0, failed: 0, candidates: 3000, positives: 240, positive_rate: 0.08, precision: 0.11, recall: 0.07, f1: 0.085, seconds: 0.4 },
    pretrain: 'stages/pretrain',
    train: 'stages/train',
    ...(baseline ? { baseline: 'stages/baseline' } : {}),
    test: train.test,
    created: '2026-01-02T03:04:05.000Z',
  };
  for (const key of omit) if (key !== 'similarity') delete pipeline[key];
  writePipelineJson(dir, pipeline);
  return { dir, pretrain, train, baseline, test: train.test };
}

/** A tiny LightGCN-format dataset folder (train/valid/test) so a train run's dataset stats can be computed. */
export function writeDatasetFixture(dir: string, nUsers = 20, nItems = 30, seed = 3): void {
  const rng = createRng(seed);
  mkdirSync(dir, { recursive: true });
  const splits: Record<string, string[]> = { train: [], valid: [], test: [] };
  for (let u = 0; u < nUsers; u++) {
    const items = new Set<number>();
    while (items.size < 6) items.add(rng.int(nItems));
    const list = [...items];
    splits.train!.push(`${u} ${list.slice(0, 4).join(' ')}`);
    splits.valid!.push(`${u} ${list[4]}`);
    splits.test!.push(`${u} ${list[5]}`);
  }
  for (const [name, lines] of Object.entries(splits)) writeFileSync(join(dir, `${name}.txt`), lines.join('\n') + '\n');
}
