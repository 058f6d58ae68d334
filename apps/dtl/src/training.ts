import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DtlError, csrUnion } from '@dtl/core';
import type { CfModel, Csr, InteractionData, ProgressFn } from '@dtl/core';
import { loadDataset, writeMatrixText } from '@dtl/data';
import { createSyncTeam, createWorkerPool } from '@dtl/kernels';
import { createLightGcnModel, createMfModel, fit, restoreBest } from '@dtl/models';
import type { EpochRecord, FitResult, Metrics, OptimizerKind } from '@dtl/models';
import type { SyncTeam } from '@dtl/kernels';
import { createSplitEvaluator } from './evaluation.ts';
import { buildSampler } from './samplers.ts';
import type { SamplerConfig } from './samplers.ts';

export const MODEL_NAMES = ['mf', 'lightgcn'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Everything that determines a training run (its fingerprint guards resume). */
export interface TrainConfig {
  readonly data: string;
  readonly model: ModelName;
  readonly sampler: SamplerConfig;
  readonly epochs: number;
  readonly evalEvery: number;
  readonly patience: number;
  readonly seed: number;
  readonly lr: number;
  readonly dim: number;
  readonly layers: number;
  readonly batchSize: number;
  readonly l2: number;
  readonly optimizer: OptimizerKind;
  readonly negatives: number;
  /** Carve this fraction of train into validation when the dataset has no valid split (0 = never). */
  readonly carveValid: number;
}

export const DEFAULT_TRAIN_CONFIG: Omit<TrainConfig, 'data'> = {
  model: 'mf',
  sampler: { name: 'rns' },
  epochs: 1000,
  evalEvery: 5,
  patience: 10,
  seed: 2022,
  lr: 1e-3,
  dim: 64,
  layers: 3,
  batchSize: 2048,
  l2: 1e-4,
  optimizer: 'adam',
  negatives: 1,
  carveValid: 0.1,
};

export interface TrainRunOptions {
  /** Threads for compute (propagation, Adam, evaluation); default 2. Results do not depend on it. */
  readonly threads?: number;
  /** Extra training positives (e.g. judged false negatives), as a users × items CSR; also never sampled. */
  readonly extraPositives?: Csr;
  /** Items never sampled as negatives beyond train (+ extraPositives), e.g. judged false negatives. */
  readonly extraExclude?: Csr;
  readonly onEpoch?: (record: EpochRecord) => void;
  readonly onProgress?: ProgressFn;
}

export interface TrainSummary {
  readonly runDir: string;
  readonly best_epoch: number;
  readonly valid: Metrics | undefined;
  readonly test: Metrics | undefined;
  readonly epochs_run: number;
  readonly seconds_per_epoch: number;
  readonly stopped_early: boolean;
  readonly resumed_from_epoch: number;
  readonly backend: string;
  readonly sample_share: number;
  readonly history: readonly EpochRecord[];
}

/** Loads a dataset folder the way every app command does (validation carved when absent). */
export function loadForTraining(dir: string, carveValid: number, seed: number): InteractionData {
  const { data } = loadDataset(dir, carveValid > 0 ? { carveValid: { fraction: carveValid, seed } } : {});
  return data;
}

export function buildModel(config: TrainConfig, data: InteractionData, train: Csr, team: SyncTeam | undefined): CfModel {
  const common = {
    nUsers: data.nUsers,
    nItems: data.nItems,
    dim: config.dim,
    l2: config.l2,
    seed: config.seed,
    optimizer: { kind: config.optimizer, lr: config.lr },
    team,
  };
  if (config.model === 'mf') return createMfModel(common);
  if (config.model === 'lightgcn') return createLightGcnModel({ ...common, train, layers: config.layers });
  throw new DtlError('INVALID_ARGUMENT', `unknown model "${String(config.model)}"; one of ${MODEL_NAMES.join(', ')}`);
}

export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

/**
 * Trains one model into `runDir`: `run.json` (config), `checkpoint.bin` (at each evaluation; a rerun
 * resumes from it), and at the end `result.json` and `embeddings/{user,item}.txt` (pooled
 * embeddings of the best-validation epoch, the format `dtl eval` reads).
 */
export async function runTraining(config: TrainConfig, runDir: string, options: TrainRunOptions = {}): Promise<TrainSummary> {
  const dataDir = resolve(config.data);
  const fullConfig = { ...config, data: dataDir };
  const extraFingerprint = options.extraPositives || options.extraExclude ? fingerprintOf([options.extraPositives?.indices.length, options.extraExclude?.indices.length, Array.from(options.extraPositives?.indices.subarray(0, 64) ?? [])]) : undefined;
  const fingerprint = fingerprintOf({ fullConfig, extraFingerprint });
  mkdirSync(runDir, { recursive: true });
  const runJsonPath = join(runDir, 'run.json');
  if (existsSync(runJsonPath)) {
    const previous = JSON.parse(readFileSync(runJsonPath, 'utf8')) as { fingerprint?: string };
    if (previous.fingerprint !== fingerprint) {
      throw new DtlError('STATE_MISMATCH', `${runDir} holds a run with other settings; choose another --out or delete it`);
    }
  }
  writeJsonAtomic(runJsonPath, { format: 'dtl-train-run', version: 1, data: dataDir, config: fullConfig, fingerprint, created: new Date().toISOString() });

  const data = loadForTraining(dataDir, config.carveValid, config.seed);
  const train = options.extraPositives ? csrUnion(data.train, options.extraPositives) : data.train;
  const exclude = options.extraExclude ? csrUnion(train, options.extraExclude) : train;
  const threads = options.threads ?? 2;
  const team = threads > 1 ? createSyncTeam({ threads }) : undefined;
  const pool = threads > 1 ? createWorkerPool({ size: threads }) : undefined;
  try {
    const model = buildModel(config, data, train, team);
    const sampler = buildSampler(config.sampler, data);
    const evaluate = data.valid || data.test ? createSplitEvaluator(data, { mask: data.train, pool }) : undefined;
    const result: FitResult = await fit({
      model,
      train,
      exclude,
      sampler,
      negatives: config.negatives,
      epochs: config.epochs,
      batchSize: config.batchSize,
      seed: config.seed,
      evaluate: data.valid ? evaluate : undefined,
      evalEvery: config.evalEvery,
      patience: config.patience,
      checkpointDir: runDir,
      fingerprint,
      onEpoch: options.onEpoch,
      onProgress: options.onProgress,
    });
    let test = result.test;
    if (!data.valid && evaluate) {
      // No validation split and no carve: report the last epoch's test metrics (no selection on test).
      test = await evaluate(model, 'test');
    }
    restoreBest(model, result.bestParameters);
    mkdirSync(join(runDir, 'embeddings'), { recursive: true });
    writeMatrixText(join(runDir, 'embeddings', 'user.txt'), { rows: model.nUsers, dim: model.dim, data: model.pooledUsers() });
    writeMatrixText(join(runDir, 'embeddings', 'item.txt'), { rows: model.nItems, dim: model.dim, data: model.pooledItems() });
    const trainSeconds = result.history.reduce((s, h) => s + h.seconds, 0);
    const sampleSeconds = result.history.reduce((s, h) => s + h.sampleSeconds, 0);
    const summary: TrainSummary = {
      runDir,
      best_epoch: result.bestEpoch,
      valid: result.valid,
      test,
      epochs_run: result.epochsRun,
      seconds_per_epoch: result.secondsPerEpoch,
      stopped_early: result.stoppedEarly,
      resumed_from_epoch: result.resumedFromEpoch,
      backend: `js-kernels (${threads} thread${threads > 1 ? 's' : ''}); tfjs not used by ${config.model}`,
      sample_share: trainSeconds > 0 ? sampleSeconds / trainSeconds : 0,
      history: result.history,
    };
    writeJsonAtomic(join(runDir, 'result.json'), summary);
    return summary;
  } finally {
    team?.close();
    await pool?.close();
  }
}
