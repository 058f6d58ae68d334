import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DtlError } from '@dtl/core';
import type { Codebook, Csr, DensGates, InteractionData, ProgressFn } from '@dtl/core';
import { createSyncTeam, createWorkerPool } from '@dtl/kernels';
import { fit, restoreBest } from '@dtl/models';
import type { EpochRecord, FitResult, LrScheduleKind, Metrics, OptimizerKind } from '@dtl/models';
import { lrScheduleOfConfig } from './train-schedule.ts';
import { createSplitEvaluator } from './evaluation.ts';
import { isLeaky, testMaskFor, trainingSets } from './protocol.ts';
import type { FalseNegativeInput, FnUse, Protocol } from './protocol.ts';
import { DEFAULT_THREADS } from './train-defaults.ts';
import { buildSampler } from './samplers.ts';
import { buildModel } from './models.ts';
import type { ModelName } from './models.ts';
import { ensureRunDir, withRunLock } from './run-lock.ts';
import { RUN_FORMAT, fingerprintOf, loadTrainingData, readRunJson, runPaths, writeResultJson, writeRunEmbeddings, writeRunJson } from './run-dir/index.ts';
import type { SamplerConfig } from './samplers.ts';


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
  /** Learning-rate schedule (`train-schedule.ts`); absent = constant. Absent keys keep older fingerprints. */
  readonly lrSchedule?: LrScheduleKind | undefined;
  readonly lrFinal?: number | undefined;
}


export interface TrainRunOptions {
  /** Threads for compute (propagation, Adam, evaluation); default 2. Results do not depend on it. */
  readonly threads?: number;
  readonly falseNegatives?: FalseNegativeInput;
  /**
   * Already-loaded item codes for the DTL sampler (the config keeps the code files' paths for the
   * record; these save reading them again).
   */
  readonly codebooks?: { readonly co?: Codebook | undefined; readonly se?: Codebook | undefined } | undefined;
  /**
   * `clean` (default): evaluation masks only observed train items; judged positives are used as
   * they are. `paper` (LEAKY): reproduces the authors' code — judged positives that are valid/test
   * items are dropped (reads held-out labels) and evaluation masks the enhanced set.
   */
  readonly protocol?: Protocol;
  /**
   * The dataset of `config.data` already loaded with the config's validation carve (as
   * `loadTrainingData` returns it): `dtl run` loads its dataset once and hands it to every stage.
   */
  readonly dataset?: { readonly data: InteractionData; readonly validCarved: boolean } | undefined;
  readonly onEpoch?: (record: EpochRecord) => void;
  readonly onProgress?: ProgressFn;
  readonly onInfo?: (line: string) => void;
}

export interface TrainSummary {
  readonly runDir: string;
  readonly best_epoch: number;
  readonly valid: Metrics | undefined;
  /** Test metrics at the best-validation epoch; `null` when the dataset has no (non-empty) test split. */
  readonly test: Metrics | null | undefined;
  readonly epochs_run: number;
  /** Mean wall seconds per epoch, the first (warm-up) epoch included (historical name, kept). */
  readonly seconds_per_epoch: number;
  /** Median wall seconds per epoch of the history (robust to the first epoch's warm-up). */
  readonly median_seconds_per_epoch: number;
  readonly stopped_early: boolean;
  readonly resumed_from_epoch: number;
  readonly backend: string;
  readonly sample_share: number;
  readonly protocol: Protocol;
  /** Validation was carved from train; its items are then masked when ranking for test (`testMaskFor`). */
  readonly valid_carved: boolean;
  /** True when held-out labels influenced training or masking (paper protocol). */
  readonly leaky: boolean;
  readonly false_negatives?: { readonly label: string; readonly use: FnUse; readonly pairs: number; readonly used: number; readonly weight?: number } | undefined;
  readonly history: readonly EpochRecord[];
}

/** Loads a dataset folder the way every app command does (validation carved when absent). */
export function loadForTraining(dir: string, carveValid: number, seed: number): InteractionData {
  return loadTrainingData(dir, carveValid, seed).data;
}

/** {@link loadForTraining}, also telling whether the validation split was carved from train (the rule lives in `run-dir/`). */
export { loadTrainingData, fingerprintOf };

function csrHash(csr: Csr): string {
  const h = createHash('sha256');
  h.update(new Uint8Array(csr.indptr.buffer, csr.indptr.byteOffset, csr.indptr.byteLength));
  h.update(new Uint8Array(csr.indices.buffer, csr.indices.byteOffset, csr.indices.byteLength));
  return h.digest('hex').slice(0, 16);
}

/** The median of `values` (mean of the two middle ones for an even count); 0 for none. */
export function medianOf(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/**
 * The held-out splits that can be measured: a split that is absent or holds no interaction is
 * `undefined` (its metrics are reported as absent, never as zeros), with a loud warning per empty one.
 */
export function measurableSplits(data: InteractionData): { valid: Csr | undefined; test: Csr | undefined; warnings: string[] } {
  const warnings: string[] = [];
  const usable = (split: 'valid' | 'test'): Csr | undefined => {
    const csr = data[split];
    if (!csr) return undefined;
    if (csr.indptr[csr.nRows]! > 0) return csr;
    warnings.push(
      split === 'test'
        ? 'WARNING: the test split is empty (no interactions): test metrics are absent (null), nothing is measured on test'
        : 'WARNING: the valid split is empty (no interactions): no early stopping or best-epoch selection (delete the empty valid.txt to carve a validation split from train)',
    );
    return undefined;
  };
  return { valid: usable('valid'), test: usable('test'), warnings };
}

/**
 * Trains one model into `runDir`: `run.json` (config), `checkpoint.bin` (at each evaluation; a rerun
 * resumes from it), and at the end `result.json` and `embeddings/{user,item}.txt` (pooled
 * embeddings of the best-validation epoch, the format `dtl eval` reads).
 *
 * One process per run directory: the run holds `runDir/run.lock` (see `run-lock.ts`) from start to
 * end, errors included, and removes leftover temporary files of interrupted writes when it starts.
 * `run.json` is written only once the run can start — data loaded, model and sampler built (code
 * files read) — so a failed start (a typo in the data path, missing codes) leaves nothing that would
 * make the corrected command fail with STATE_MISMATCH.
 */
export async function runTraining(config: TrainConfig, runDir: string, options: TrainRunOptions = {}): Promise<TrainSummary> {
  const dataDir = resolve(config.data);
  const fullConfig = { ...config, data: dataDir };
  const lrSchedule = lrScheduleOfConfig(config);
  const protocol = options.protocol ?? 'clean';
  const fn = options.falseNegatives;
  const fnFingerprint = fn ? { label: fn.label, use: fn.use, weight: fn.weight, hash: csrHash(fn.pairs) } : undefined;
  const fingerprint = fingerprintOf({ fullConfig, fnFingerprint, protocol });
  ensureRunDir(runDir);
  return withRunLock(runDir, () => trainLocked(), { onWarn: options.onInfo });

  async function trainLocked(): Promise<TrainSummary> {
    const runJsonPath = runPaths(runDir).runJson;
    if (existsSync(runJsonPath)) {
      let previous: { fingerprint?: string | undefined };
      try {
        previous = readRunJson(runDir);
      } catch (cause) {
        if ((cause as DtlError).code === 'INVALID_DATA' && /not valid JSON/.test((cause as Error).message)) {
          throw new DtlError('INVALID_DATA', `run state is ${(cause as Error).message}`, { location: { file: runJsonPath }, cause });
        }
        previous = {};
      }
      if (previous?.fingerprint !== fingerprint) {
        throw new DtlError('STATE_MISMATCH', `${runDir} holds a run with other settings; choose another --out or delete it`);
      }
    }

    const { data: loaded, validCarved } = options.dataset ?? loadTrainingData(dataDir, config.carveValid, config.seed);
    const splits = measurableSplits(loaded);
    for (const w of splits.warnings) options.onInfo?.(w);
    const data: InteractionData = { ...loaded, valid: splits.valid, test: splits.test };
    const setup = trainingSets(data, fn, protocol);
    if (fn) options.onInfo?.(`false negatives (${fn.label}): ${fn.pairs.indices.length} pairs, ${setup.used} used as ${fn.use}${isLeaky(protocol) ? ' after the LEAKY held-out filter' : ''}`);
    const { train, exclude, pairWeights, mask } = setup;
    const threads = options.threads ?? DEFAULT_THREADS;
    const team = threads > 1 ? createSyncTeam({ threads }) : undefined;
    const pool = threads > 1 ? createWorkerPool({ size: threads }) : undefined;
    try {
      const built = await buildModel(config, data, train, team);
      const model = built.model;
      options.onInfo?.(`model ${config.model} on ${built.backend}`);
      const sampler = buildSampler(
        options.codebooks ? { ...config.sampler, codebooks: options.codebooks } : config.sampler,
        data,
        { densGates: () => (model as { densGates?: DensGates }).densGates },
        (line) => options.onInfo?.(line),
      );
      // Everything the run needs is loaded and built: only now does the folder become this run's.
      writeRunJson(runDir, {
        format: RUN_FORMAT,
        version: 1,
        data: dataDir,
        config: fullConfig,
        protocol,
        leaky: isLeaky(protocol),
        falseNegatives: fnFingerprint,
        fingerprint,
        created: new Date().toISOString(),
      });
      const evaluate = data.valid || data.test ? createSplitEvaluator(data, { mask, testMask: testMaskFor(mask, data, validCarved), pool }) : undefined;
      const result: FitResult = await fit({
        model,
        train,
        exclude,
        pairWeights,
        sampler,
        negatives: config.negatives,
        epochs: config.epochs,
        batchSize: config.batchSize,
        seed: config.seed,
        evaluate: data.valid ? evaluate : undefined,
        testEachEvaluation: data.test !== undefined,
        // No validation: test every evalEvery epochs as a learning curve (nothing is selected on it).
        curve: !data.valid && data.test && evaluate ? (m) => evaluate(m, 'test') : undefined,
        lrSchedule,
        evalEvery: config.evalEvery,
        patience: config.patience,
        checkpointDir: runDir,
        fingerprint,
        onEpoch: options.onEpoch,
        onProgress: options.onProgress,
      });
      let test = data.test ? result.test : null;
      if (!data.valid && data.test && evaluate) {
        // No validation split and no carve: report the last epoch's test metrics (no selection on test).
        test = await evaluate(model, 'test');
      }
      restoreBest(model, result.bestParameters);
      writeRunEmbeddings(runDir, { rows: model.nUsers, dim: model.dim, data: model.pooledUsers() }, { rows: model.nItems, dim: model.dim, data: model.pooledItems() });
      const trainSeconds = result.history.reduce((s, h) => s + h.seconds, 0);
      const sampleSeconds = result.history.reduce((s, h) => s + h.sampleSeconds, 0);
      const summary: TrainSummary = {
        runDir,
        best_epoch: result.bestEpoch,
        valid: result.valid,
        test,
        epochs_run: result.epochsRun,
        seconds_per_epoch: result.secondsPerEpoch,
        median_seconds_per_epoch: medianOf(result.history.map((h) => h.seconds)),
        stopped_early: result.stoppedEarly,
        resumed_from_epoch: result.resumedFromEpoch,
        backend: built.backend,
        sample_share: trainSeconds > 0 ? sampleSeconds / trainSeconds : 0,
        protocol,
        valid_carved: validCarved,
        leaky: isLeaky(protocol),
        false_negatives: fn ? { label: fn.label, use: fn.use, pairs: fn.pairs.indices.length, used: setup.used, ...(fn.use === 'weighted' ? { weight: fn.weight ?? 0.5 } : {}) } : undefined,
        history: result.history,
      };
      writeResultJson(runDir, summary);
      built.dispose();
      return summary;
    } finally {
      team?.close();
      await pool?.close();
    }
  }
}
