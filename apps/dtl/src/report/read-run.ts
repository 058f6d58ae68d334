import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DtlError } from '@dtl/core';
import { datasetStats } from '@dtl/data';
import { PIPELINE_JSON, RESULT_JSON, RUN_JSON, loadTrainingData, runDatasetSpec } from '../run-dir/index.ts';

/** Metric name (`recall@20`, …) → value. */
export type MetricMap = Readonly<Record<string, number>>;

/** One epoch of a training history; valid/test only on evaluation epochs. */
export interface EpochPoint {
  readonly epoch: number;
  readonly loss: number | undefined;
  readonly reg: number | undefined;
  readonly seconds: number | undefined;
  readonly sampleSeconds: number | undefined;
  readonly evalSeconds: number | undefined;
  readonly valid: MetricMap | undefined;
  readonly test: MetricMap | undefined;
}

/** A `dtl train` run directory as the report sees it (every field optional but `dir`). */
export interface TrainRunInfo {
  readonly dir: string;
  /** `result.json` exists (the run finished). */
  readonly finished: boolean;
  readonly dataPath: string | undefined;
  readonly model: string | undefined;
  readonly sampler: string | undefined;
  /** The sampler options besides its name (e.g. DTL weights). */
  readonly samplerParams: Readonly<Record<string, unknown>> | undefined;
  /** The train config from run.json (lr, dim, epochs, …). */
  readonly config: Readonly<Record<string, unknown>> | undefined;
  readonly protocol: string | undefined;
  readonly leaky: boolean;
  readonly created: string | undefined;
  readonly bestEpoch: number | undefined;
  readonly epochsRun: number | undefined;
  readonly secondsPerEpoch: number | undefined;
  readonly stoppedEarly: boolean | undefined;
  readonly resumedFromEpoch: number | undefined;
  readonly backend: string | undefined;
  readonly sampleShare: number | undefined;
  readonly valid: MetricMap | undefined;
  readonly test: MetricMap | undefined;
  readonly falseNegatives: Readonly<Record<string, unknown>> | undefined;
  readonly history: readonly EpochPoint[];
}

/** One stage of a pipeline run. */
export interface StageTiming {
  readonly name: string;
  readonly seconds: number | undefined;
  readonly skipped: boolean;
}

/** One tree view (co or se) of a pipeline run. */
export interface TreeInfo {
  readonly builder: string | undefined;
  readonly stats: Readonly<Record<string, unknown>>;
  readonly maxResidual: number | undefined;
}

export interface TreesInfo {
  readonly co: TreeInfo | undefined;
  readonly se: TreeInfo | undefined;
  /** Mean code similarity of same-user item pairs vs random pairs, per view. */
  readonly similarity: Readonly<Record<string, { readonly sameUser: number | undefined; readonly random: number | undefined }>> | undefined;
}

/**
 * A run as the report renders it: either a train run (`run.json` from `dtl train`) or a pipeline run
 * (`pipeline.json` from `dtl run`, with its pretrain and final train runs as train runs).
 */
export interface ReportRun {
  readonly kind: 'train' | 'pipeline';
  /** Display name (the directory's basename, disambiguated by {@link readRuns}). */
  readonly name: string;
  readonly dir: string;
  readonly protocol: string;
  /** Held-out labels influenced training or masking (paper protocol): every number of this run is LEAKY. */
  readonly leaky: boolean;
  readonly dataPath: string | undefined;
  /** datasetStats() of @dtl/data (pipeline.json's `dataset`, or computed for a train run). */
  readonly dataset: Readonly<Record<string, unknown>> | undefined;
  readonly model: string | undefined;
  readonly sampler: string | undefined;
  /** The final training run (the run itself for a train run). */
  readonly train: TrainRunInfo | undefined;
  /** Pipeline only: the pretraining run whose embeddings built the se tree and the candidates. */
  readonly pretrain: TrainRunInfo | undefined;
  /** Pipeline only: the baseline trained beside DTL-NS (same data, model and budget; issue 19), when the run has one. */
  readonly baseline: TrainRunInfo | undefined;
  /** Test metrics at the best-valid epoch (pipeline.json's `test`, else the train run's). */
  readonly test: MetricMap | undefined;
  readonly stages: readonly StageTiming[] | undefined;
  readonly trees: TreesInfo | undefined;
  readonly fni: Readonly<Record<string, unknown>> | undefined;
  /** Pipeline config as written (shown collapsed in the report). */
  readonly config: Readonly<Record<string, unknown>> | undefined;
  readonly created: string | undefined;
  /** Things the reader could not find or parse; shown in the report, never fatal. */
  readonly notes: readonly string[];
}

export interface ReadRunOptions {
  /**
   * Compute dataset statistics for a train run by loading its dataset folder (with the run's
   * validation carve) when `run.json` names one that exists. Default true; pipeline runs carry
   * their statistics in `pipeline.json` and never load data.
   */
  readonly computeDatasetStats?: boolean;
}

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}
function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
function metrics(value: unknown): MetricMap | undefined {
  const o = obj(value);
  if (!o) return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number') out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

function readJson(path: string): Obj {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new DtlError('IO_ERROR', `${path}: cannot read (${(cause as Error).message})`, { cause });
  }
  try {
    const parsed = obj(JSON.parse(text));
    if (!parsed) throw new Error('not a JSON object');
    return parsed;
  } catch (cause) {
    throw new DtlError('INVALID_DATA', `${path}:1: not a JSON object (${(cause as Error).message})`, { cause, location: { file: path, line: 1 } });
  }
}

function readHistory(value: unknown): EpochPoint[] {
  if (!Array.isArray(value)) return [];
  const out: EpochPoint[] = [];
  for (const item of value) {
    const h = obj(item);
    const epoch = num(h?.epoch);
    if (!h || epoch === undefined) continue;
    out.push({
      epoch,
      loss: num(h.loss),
      reg: num(h.reg),
      seconds: num(h.seconds),
      sampleSeconds: num(h.sampleSeconds),
      evalSeconds: num(h.evalSeconds),
      valid: metrics(h.valid),
      test: metrics(h.test),
    });
  }
  return out.sort((a, b) => a.epoch - b.epoch);
}

/** Reads a `dtl train` run directory (`run.json`, and `result.json` once finished). */
export function readTrainRun(dir: string, notes: string[] = []): TrainRunInfo {
  const runPath = join(dir, RUN_JSON);
  if (!existsSync(runPath)) throw new DtlError('NOT_FOUND', `${dir}: no run.json (not a dtl train run directory)`);
  const run = readJson(runPath);
  const resultPath = join(dir, RESULT_JSON);
  const result = existsSync(resultPath) ? readJson(resultPath) : undefined;
  if (!result) notes.push(`${dir}: no result.json — the run has not finished; showing its configuration only`);
  const config = obj(run.config);
  const sampler = obj(config?.sampler);
  const { name: samplerName, ...samplerParams } = sampler ?? {};
  const protocol = str(result?.protocol) ?? str(run.protocol);
  return {
    dir,
    finished: result !== undefined,
    dataPath: str(run.data) ?? str(config?.data),
    model: str(config?.model),
    sampler: str(samplerName) ?? (typeof config?.sampler === 'string' ? config.sampler : undefined),
    samplerParams: Object.keys(samplerParams).length ? samplerParams : undefined,
    config,
    protocol,
    leaky: run.leaky === true || result?.leaky === true || protocol === 'paper',
    created: str(run.created),
    bestEpoch: num(result?.best_epoch),
    epochsRun: num(result?.epochs_run),
    secondsPerEpoch: num(result?.seconds_per_epoch),
    stoppedEarly: typeof result?.stopped_early === 'boolean' ? result.stopped_early : undefined,
    resumedFromEpoch: num(result?.resumed_from_epoch),
    backend: str(result?.backend),
    sampleShare: num(result?.sample_share),
    valid: metrics(result?.valid),
    test: metrics(result?.test),
    falseNegatives: obj(result?.false_negatives),
    history: readHistory(result?.history),
  };
}

function readTree(value: unknown): TreeInfo | undefined {
  const o = obj(value);
  if (!o) return undefined;
  return { builder: str(o.builder), stats: obj(o.stats) ?? {}, maxResidual: num(o.maxResidual) };
}

function readTrees(value: unknown): TreesInfo | undefined {
  const o = obj(value);
  if (!o) return undefined;
  const sim = obj(o.similarity);
  let similarity: Record<string, { sameUser: number | undefined; random: number | undefined }> | undefined;
  if (sim) {
    similarity = {};
    for (const [view, v] of Object.entries(sim)) {
      const s = obj(v);
      if (s) similarity[view] = { sameUser: num(s.sameUser), random: num(s.random) };
    }
  }
  return { co: readTree(o.co), se: readTree(o.se), similarity };
}

function readStages(value: unknown): StageTiming[] | undefined {
  const o = obj(value);
  if (!o) return undefined;
  return Object.entries(o).map(([name, v]) => {
    const s = obj(v);
    return { name, seconds: num(s?.seconds), skipped: s?.skipped === true };
  });
}

function tryDatasetStats(dataPath: string | undefined, config: Obj | undefined, notes: string[]): Obj | undefined {
  if (!dataPath) return undefined;
  if (!existsSync(dataPath)) {
    notes.push(`dataset ${dataPath} not found — no dataset statistics`);
    return undefined;
  }
  try {
    // The run-dir rule: the same carve as `dtl train` so the valid split shown is the one the run selected on.
    const carveValid = num(config?.carveValid);
    const seed = num(config?.seed);
    const spec = runDatasetSpec(dataPath, dataPath, { ...(carveValid !== undefined ? { carveValid } : {}), ...(seed !== undefined ? { seed } : {}) });
    const { data } = loadTrainingData(spec.dir, spec.carveValid, spec.seed);
    return datasetStats(data) as unknown as Obj;
  } catch (error) {
    notes.push(`dataset ${dataPath} could not be read: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Reads one run directory: a pipeline run (`pipeline.json`) or a train run (`run.json`).
 * Tolerant of missing optional sections (they become `undefined` and a note); throws
 * `NOT_FOUND` when the directory holds neither file, `INVALID_DATA` when a JSON file is malformed.
 */
export function readRun(dir: string, options: ReadRunOptions = {}): ReportRun {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new DtlError('NOT_FOUND', `${dir}: no such run directory`);
  const notes: string[] = [];
  const name = basename(abs);
  const pipelinePath = join(abs, PIPELINE_JSON);
  if (existsSync(pipelinePath)) {
    const p = readJson(pipelinePath);
    const sub = (key: string, fallback: string): TrainRunInfo | undefined => {
      const rel = str(p[key]) ?? fallback;
      const subDir = resolve(abs, rel);
      if (!existsSync(join(subDir, RUN_JSON))) {
        notes.push(`${key} run ${rel} not found`);
        return undefined;
      }
      return readTrainRun(subDir, notes);
    };
    const pretrain = sub('pretrain', 'stages/pretrain');
    const train = sub('train', 'stages/train');
    // Runs from before the baseline stage, or with `baseline: false`, have no `baseline` key: no note.
    const baseline = p.baseline !== undefined ? sub('baseline', 'stages/baseline') : undefined;
    const protocol = str(p.protocol) ?? train?.protocol ?? 'clean';
    const config = obj(p.config);
    return {
      kind: 'pipeline',
      name: str(config?.name) ?? name,
      dir: abs,
      protocol,
      leaky: p.leaky === true || protocol === 'paper' || train?.leaky === true,
      dataPath: str(config?.data) ?? train?.dataPath,
      dataset: obj(p.dataset),
      model: train?.model ?? str(config?.model),
      sampler: train?.sampler ?? str(obj(config?.sampler)?.name),
      train,
      pretrain,
      baseline,
      test: metrics(p.test) ?? train?.test,
      stages: readStages(p.stages),
      trees: readTrees(p.trees),
      fni: obj(p.fni),
      config,
      created: str(p.created),
      notes,
    };
  }
  if (existsSync(join(abs, RUN_JSON))) {
    const train = readTrainRun(abs, notes);
    return {
      kind: 'train',
      name,
      dir: abs,
      protocol: train.protocol ?? 'clean',
      leaky: train.leaky,
      dataPath: train.dataPath,
      dataset: options.computeDatasetStats === false ? undefined : tryDatasetStats(train.dataPath, train.config, notes),
      model: train.model,
      sampler: train.sampler,
      train,
      pretrain: undefined,
      baseline: undefined,
      test: train.test,
      stages: undefined,
      trees: undefined,
      fni: undefined,
      config: train.config,
      created: train.created,
      notes,
    };
  }
  throw new DtlError('NOT_FOUND', `${dir}: neither pipeline.json (dtl run) nor run.json (dtl train) found`);
}

/** Reads several run directories; equal basenames get their parent folder prepended so names stay distinct. */
export function readRuns(dirs: readonly string[], options: ReadRunOptions = {}): ReportRun[] {
  if (dirs.length === 0) throw new DtlError('INVALID_ARGUMENT', 'give at least one run directory');
  const runs = dirs.map((d) => readRun(d, options));
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  return runs.map((r) => {
    if ((counts.get(r.name) ?? 0) < 2) return r;
    let candidate = `${basename(resolve(r.dir, '..'))}/${r.name}`;
    const k = (seen.get(candidate) ?? 0) + 1;
    seen.set(candidate, k);
    if (k > 1) candidate = `${candidate} (${k})`;
    return { ...r, name: candidate };
  });
}
