import { DtlError, createRng, csrRowIds, shuffleInPlace } from '@dtl/core';
import { FIT_DEFAULTS } from './fit-defaults.ts';
import type { CfModel, Csr, ModelView, NegativeSampler, ProgressFn } from '@dtl/core';
import { createEarlyStopping } from './early-stopping.ts';
import type { Metrics } from './early-stopping.ts';
import { fitCheckpointPath, loadFitCheckpoint, saveFitCheckpoint } from './fit-checkpoint.ts';
import { createUniformSampler } from './uniform-sampler.ts';
import type { LrSchedule } from './lr-schedule.ts';

export type { Metrics };

/**
 * Scores the model on one held-out split. The fit loop never sees validation or test labels:
 * the caller closes over them (clean protocol), e.g. with `evaluateRanking` from `@dtl/eval`.
 */
export type SplitEvaluator = (model: ModelView, split: 'valid' | 'test') => Promise<Metrics>;

export interface FitOptions {
  readonly model: CfModel;
  /** Positive pairs to train on (users × items): observed, or the enhanced positive set. */
  readonly train: Csr;
  /** Items never sampled as negatives; default `train`. Must contain every training positive. */
  readonly exclude?: Csr;
  /** Per-pair loss weights aligned with `train.indices` (e.g. down-weighted pseudo-positives). */
  readonly pairWeights?: Float32Array;
  /** Negative sampler; default uniform (RNS). */
  readonly sampler?: NegativeSampler;
  /** Negatives per positive, default 1. */
  readonly negatives?: number;
  /** Maximum epochs, default 1000 (early stopping usually ends sooner). */
  readonly epochs?: number;
  /** Pairs per batch, default 2048. */
  readonly batchSize?: number;
  /** Seed of shuffling and sampling, default 2022. Epoch e uses its own stream derived from (seed, e). */
  readonly seed?: number;
  /** Held-out evaluation; without it the model trains for `epochs` and the last epoch is reported. */
  readonly evaluate?: SplitEvaluator;
  /** Evaluate every N epochs, default 5. */
  readonly evalEvery?: number;
  /** Stop after this many evaluations without a better validation metric, default 10. */
  readonly patience?: number;
  /** Validation metric that selects the best epoch, default `recall@20`. */
  readonly selectMetric?: string;
  /** Whether to also score the test split at every evaluation (learning curves), default true. */
  readonly testEachEvaluation?: boolean;
  /**
   * Without `evaluate` (a fixed number of epochs, no validation): scored every `evalEvery` epochs into
   * the epoch record's `test`, a learning curve that selects nothing (the last epoch is reported);
   * the checkpoint is written at the same epochs. Ignored when `evaluate` is given.
   */
  readonly curve?: (model: ModelView) => Promise<Metrics>;
  /**
   * Learning-rate factor per epoch (`lrScheduleOf` in lr-schedule.ts), set on the model with
   * `setLearningRateScale` before each epoch; the model must implement it. Default: none (the
   * configured rate throughout, and the model is never asked).
   */
  readonly lrSchedule?: LrSchedule;
  /** Directory for `checkpoint.bin` (`fit-checkpoint.ts`); when set, a checkpoint is written at each evaluation. */
  readonly checkpointDir?: string;
  /** Resume from `checkpointDir/checkpoint.bin` when present, default true. */
  readonly resume?: boolean;
  /** Fingerprint of the run's settings; a checkpoint with another fingerprint is refused. */
  readonly fingerprint?: string;
  readonly onProgress?: ProgressFn;
  /** Called after every epoch (and evaluation) with its record. */
  readonly onEpoch?: (record: EpochRecord) => void;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly reg: number;
  /** Wall seconds of the epoch's training (sampling included). */
  readonly seconds: number;
  /** Seconds spent inside the sampler. */
  readonly sampleSeconds: number;
  readonly valid?: Metrics;
  readonly test?: Metrics;
  readonly evalSeconds?: number;
}

export interface FitResult {
  /** Epoch whose validation metric was best (the last epoch when there is no validation). */
  readonly bestEpoch: number;
  readonly valid: Metrics | undefined;
  /** Test metrics at the best-validation epoch. */
  readonly test: Metrics | undefined;
  readonly epochsRun: number;
  readonly stoppedEarly: boolean;
  readonly resumedFromEpoch: number;
  readonly secondsPerEpoch: number;
  readonly history: readonly EpochRecord[];
  /** The model's {@link CfModel.parameters} at the best epoch (restore with `restoreBest`). */
  readonly bestParameters: Readonly<Record<string, Float32Array>>;
}

/**
 * Trains a CF model with BPR: epochs over the shuffled training pairs in batches; per batch the
 * model propagates (forward), the sampler draws negatives with those embeddings, and the model
 * takes one optimizer step. Evaluates every `evalEvery` epochs, early-stops on the validation
 * metric with `patience`, checkpoints at each evaluation and resumes from the last checkpoint.
 * Deterministic for a seed (each epoch's random stream is derived from seed and epoch number, so a
 * resumed run draws exactly what an uninterrupted one would).
 */
export async function fit(options: FitOptions): Promise<FitResult> {
  const { model, train } = options;
  const exclude = options.exclude ?? train;
  const sampler = options.sampler ?? createUniformSampler();
  const k = options.negatives ?? FIT_DEFAULTS.negatives;
  const maxEpochs = options.epochs ?? FIT_DEFAULTS.epochs;
  const batchSize = options.batchSize ?? FIT_DEFAULTS.batchSize;
  const seed = options.seed ?? FIT_DEFAULTS.seed;
  const evalEvery = options.evalEvery ?? FIT_DEFAULTS.evalEvery;
  const patience = options.patience ?? FIT_DEFAULTS.patience;
  const selectMetric = options.selectMetric ?? FIT_DEFAULTS.selectMetric;
  const testEach = options.testEachEvaluation ?? FIT_DEFAULTS.testEachEvaluation;
  if (train.nRows !== model.nUsers || train.nCols !== model.nItems) {
    throw new DtlError('INVALID_ARGUMENT', `train is ${train.nRows}×${train.nCols} but the model is ${model.nUsers}×${model.nItems}`);
  }
  if (exclude.nRows !== train.nRows || exclude.nCols !== train.nCols) throw new DtlError('INVALID_ARGUMENT', 'exclude and train shapes differ');
  if (!(batchSize > 0) || !(k > 0) || !(evalEvery > 0)) throw new DtlError('INVALID_ARGUMENT', 'batchSize, negatives and evalEvery must be positive');
  const pairUsers = csrRowIds(train);
  const pairItems = train.indices;
  const nPairs = pairItems.length;
  if (nPairs === 0) throw new DtlError('INVALID_DATA', 'the training set is empty');
  if (options.pairWeights && options.pairWeights.length !== nPairs) {
    throw new DtlError('INVALID_ARGUMENT', `pairWeights has ${options.pairWeights.length} entries for ${nPairs} pairs`);
  }

  if (options.lrSchedule && !model.setLearningRateScale) throw new DtlError('UNSUPPORTED', `model ${model.name} has no learning-rate schedule (setLearningRateScale)`);
  const history: EpochRecord[] = [];
  const early = createEarlyStopping(model.parameters(), { patience, metric: selectMetric });
  let startEpoch = 1;
  const checkpointPath = options.checkpointDir ? fitCheckpointPath(options.checkpointDir) : undefined;

  const ckpt = checkpointPath && (options.resume ?? true) ? loadFitCheckpoint<EpochRecord>(checkpointPath, options.fingerprint) : undefined;
  if (ckpt) {
    model.setState(ckpt.state);
    history.push(...ckpt.meta.history);
    early.resume(ckpt.meta, ckpt.bestParameters ?? early.bestParameters);
    startEpoch = ckpt.meta.epoch + 1;
    if (ckpt.meta.finished) startEpoch = maxEpochs + 1;
  }
  const resumedFromEpoch = startEpoch - 1;

  const order = new Int32Array(nPairs);
  const bUsers = new Int32Array(batchSize);
  const bItems = new Int32Array(batchSize);
  const bWeights = options.pairWeights ? new Float32Array(batchSize) : undefined;
  const nBatches = Math.ceil(nPairs / batchSize);
  let stoppedEarly = false;
  let epoch = startEpoch;
  for (; epoch <= maxEpochs && !stoppedEarly; epoch++) {
    const rng = createRng(seed).fork(`epoch:${epoch}`);
    if (options.lrSchedule) model.setLearningRateScale!(options.lrSchedule(epoch));
    for (let i = 0; i < nPairs; i++) order[i] = i;
    shuffleInPlace(order, rng);
    const t0 = performance.now();
    let sampleMs = 0;
    let lossSum = 0;
    let regSum = 0;
    for (let bi = 0; bi < nBatches; bi++) {
      const start = bi * batchSize;
      const size = Math.min(batchSize, nPairs - start);
      for (let j = 0; j < size; j++) {
        const p = order[start + j]!;
        bUsers[j] = pairUsers[p]!;
        bItems[j] = pairItems[p]!;
        if (bWeights) bWeights[j] = options.pairWeights![p]!;
      }
      const users = bUsers.subarray(0, size);
      const positives = bItems.subarray(0, size);
      model.forward();
      const s0 = performance.now();
      const negatives = sampler.sample({ users, positives, k, exclude, model, epoch }, rng);
      sampleMs += performance.now() - s0;
      const stats = model.trainStep({ users, positives, negatives, pairWeights: bWeights?.subarray(0, size) });
      lossSum += stats.loss * size;
      regSum += stats.reg * size;
      options.onProgress?.({ stage: 'epoch', done: bi + 1, total: nBatches, detail: `epoch ${epoch}` });
    }
    model.forward();
    const record: { -readonly [K in keyof EpochRecord]: EpochRecord[K] } = {
      epoch,
      loss: lossSum / nPairs,
      reg: regSum / nPairs,
      seconds: (performance.now() - t0) / 1000,
      sampleSeconds: sampleMs / 1000,
    };
    const isEvalEpoch = options.evaluate !== undefined && (epoch % evalEvery === 0 || epoch === maxEpochs);
    const isCurveEpoch = options.evaluate === undefined && options.curve !== undefined && (epoch % evalEvery === 0 || epoch === maxEpochs);
    if (isEvalEpoch) {
      const e0 = performance.now();
      const valid = await options.evaluate!(model, 'valid');
      const test = testEach ? await options.evaluate!(model, 'test') : undefined;
      record.valid = valid;
      if (test) record.test = test;
      record.evalSeconds = (performance.now() - e0) / 1000;
      const verdict = early.observe(epoch, valid);
      if (verdict.improved) early.keep(test ?? (await options.evaluate!(model, 'test')), model.parameters());
      else if (verdict.stop) stoppedEarly = true;
    } else if (options.evaluate === undefined) {
      if (isCurveEpoch) {
        const e0 = performance.now();
        record.test = await options.curve!(model);
        record.evalSeconds = (performance.now() - e0) / 1000;
      }
      early.keepLast(epoch, model.parameters());
    }
    history.push(record);
    options.onEpoch?.(record);
    if (checkpointPath && (isEvalEpoch || isCurveEpoch || epoch === maxEpochs || stoppedEarly)) {
      const state = model.getState();
      const { bestEpoch, bestValue, sinceBest, bestValid, bestTest } = early.state();
      saveFitCheckpoint(checkpointPath, state, {
        fingerprint: options.fingerprint,
        model: state.model,
        config: state.config,
        step: state.step,
        epoch,
        history,
        bestEpoch,
        bestValue,
        sinceBest,
        bestValid,
        bestTest,
        finished: stoppedEarly || epoch === maxEpochs,
      }, early.bestParameters);
    }
  }
  const trainedEpochs = history.filter((h) => h.epoch > 0);
  const secondsPerEpoch = trainedEpochs.length ? trainedEpochs.reduce((s, h) => s + h.seconds, 0) / trainedEpochs.length : 0;
  const finalStopped = stoppedEarly || (history.length > 0 && early.sinceBest >= patience && options.evaluate !== undefined);
  return {
    bestEpoch: early.bestEpoch,
    valid: early.bestValid,
    test: early.bestTest,
    epochsRun: history.length ? history[history.length - 1]!.epoch : 0,
    stoppedEarly: finalStopped,
    resumedFromEpoch,
    secondsPerEpoch,
    history,
    bestParameters: early.bestParameters,
  };
}
