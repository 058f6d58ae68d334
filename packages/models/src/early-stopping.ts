import { DtlError } from '@dtl/core';
import type { CfModel } from '@dtl/core';

/** Metric name → value, e.g. `{ "recall@20": 0.1, "ndcg@20": 0.06 }`. */
export type Metrics = Readonly<Record<string, number>>;

/** Model parameters by name (`CfModel.parameters()`). */
export type Parameters = Readonly<Record<string, Float32Array>>;

/** Options of {@link createEarlyStopping}. */
export interface EarlyStoppingOptions {
  /** Stop after this many evaluations without a better validation metric, default 10. */
  readonly patience?: number | undefined;
  /** Validation metric that selects the best epoch, default `recall@20`. */
  readonly metric?: string | undefined;
}

/** Defaults of {@link EarlyStoppingOptions}. */
export const EARLY_STOPPING_DEFAULTS = { patience: 10, metric: 'recall@20' } as const;

/** What a checkpoint stores to resume early stopping (the best parameters are stored as tensors). */
export interface EarlyStoppingState {
  readonly bestEpoch: number;
  /** −Infinity before the first evaluation. */
  readonly bestValue: number;
  readonly sinceBest: number;
  readonly bestValid: Metrics | undefined;
  readonly bestTest: Metrics | undefined;
}

/** The outcome of one {@link EarlyStopping.observe}. */
export interface EarlyStoppingVerdict {
  /** The evaluation is the new best (strictly better than every earlier one; a tie keeps the earlier epoch). */
  readonly improved: boolean;
  /** `patience` evaluations in a row were not better: training should stop. */
  readonly stop: boolean;
}

/**
 * Tracks the best validation epoch of a training run and the parameters at that epoch (the
 * tfjs-layers `EarlyStopping` lesson: best weights through the model contract's
 * `parameters()` / `setParameters()`, never by tensor name).
 */
export interface EarlyStopping extends EarlyStoppingState {
  readonly patience: number;
  readonly metric: string;
  /** Parameters at the best epoch (or the last {@link keep}). */
  readonly bestParameters: Parameters;
  /**
   * Records the validation metrics of an evaluation at `epoch`. On improvement the epoch, value and
   * validation metrics become the best and the count since the best resets (call {@link keep} with
   * that epoch's test metrics and parameters); otherwise the count grows. Throws `INVALID_ARGUMENT`
   * when `valid` lacks the metric.
   */
  observe(epoch: number, valid: Metrics): EarlyStoppingVerdict;
  /** Stores the best epoch's test metrics and parameters (after an improving {@link observe}). */
  keep(test: Metrics | undefined, parameters: Parameters): void;
  /** Without validation: `epoch` is the best by definition, with these parameters. */
  keepLast(epoch: number, parameters: Parameters): void;
  /** The resumable state (with {@link bestParameters}, all a checkpoint needs). */
  state(): EarlyStoppingState;
  /** Continues from a checkpoint's state and best parameters. */
  resume(state: EarlyStoppingState, bestParameters: Parameters): void;
}

/**
 * An {@link EarlyStopping} with `patience` (default 10) on `metric` (default `recall@20`); the best
 * parameters start as `initialParameters` (the untrained model's, so a run stopped before any
 * evaluation still has some).
 */
export function createEarlyStopping(initialParameters: Parameters, options: EarlyStoppingOptions = {}): EarlyStopping {
  const patience = options.patience ?? EARLY_STOPPING_DEFAULTS.patience;
  const metric = options.metric ?? EARLY_STOPPING_DEFAULTS.metric;
  if (!(patience >= 0)) throw new DtlError('INVALID_ARGUMENT', `patience must be ≥ 0, got ${patience}`);
  let bestEpoch = 0;
  let bestValue = -Infinity;
  let sinceBest = 0;
  let bestValid: Metrics | undefined;
  let bestTest: Metrics | undefined;
  let bestParameters = initialParameters;
  return {
    patience,
    metric,
    get bestEpoch() {
      return bestEpoch;
    },
    get bestValue() {
      return bestValue;
    },
    get sinceBest() {
      return sinceBest;
    },
    get bestValid() {
      return bestValid;
    },
    get bestTest() {
      return bestTest;
    },
    get bestParameters() {
      return bestParameters;
    },
    observe(epoch, valid) {
      const value = valid[metric];
      if (value === undefined) throw new DtlError('INVALID_ARGUMENT', `validation metrics lack "${metric}"`);
      if (value > bestValue) {
        bestValue = value;
        bestEpoch = epoch;
        bestValid = valid;
        sinceBest = 0;
        return { improved: true, stop: false };
      }
      return { improved: false, stop: ++sinceBest >= patience };
    },
    keep(test, parameters) {
      bestTest = test;
      bestParameters = parameters;
    },
    keepLast(epoch, parameters) {
      bestEpoch = epoch;
      bestParameters = parameters;
    },
    state: () => ({ bestEpoch, bestValue, sinceBest, bestValid, bestTest }),
    resume(state, parameters) {
      ({ bestEpoch, bestValue, sinceBest, bestValid, bestTest } = state);
      bestParameters = parameters;
    },
  };
}

/** Loads the best-epoch parameters into the model (optimizer state kept) and re-propagates. */
export function restoreBest(model: CfModel, bestParameters: Parameters): void {
  model.setParameters(bestParameters);
}
