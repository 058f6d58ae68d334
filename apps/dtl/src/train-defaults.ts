import { FIT_DEFAULTS } from '@dtl/models';
import type { TrainConfig } from './training.ts';

/**
 * The one home of the training defaults (`dtl train`'s flags, `dtl train --config`, `dtl run`'s
 * pretrain/train/baseline sections, the run-dir rule for older runs). Sampler options default in
 * their library (`@dtl/sampler`'s `*_DEFAULTS`, read by the registry in samplers.ts). A light module
 * (types only from training.ts; the fit defaults are a constant of @dtl/models) so that help and config
 * parsing never load the trainer.
 */
export const DEFAULT_TRAIN_CONFIG: Omit<TrainConfig, 'data'> = {
  model: 'mf',
  sampler: { name: 'rns' },
  // The fit loop's defaults (early stopping on validation usually ends far sooner than 1000 epochs).
  epochs: FIT_DEFAULTS.epochs,
  evalEvery: FIT_DEFAULTS.evalEvery,
  patience: FIT_DEFAULTS.patience,
  seed: FIT_DEFAULTS.seed,
  lr: 1e-3,
  dim: 64,
  layers: 3,
  batchSize: FIT_DEFAULTS.batchSize,
  l2: 1e-4,
  optimizer: 'adam',
  negatives: FIT_DEFAULTS.negatives,
  carveValid: 0.1,
};

/** Compute threads when none is given (this machine class: 2 cores). Results do not depend on it. */
export const DEFAULT_THREADS = 2;

/**
 * What `dtl run`'s sections change from {@link DEFAULT_TRAIN_CONFIG}: LightGCN, the pretrain stage with
 * RNS (it has no codes yet), the train stage with the DTL sampler, and the paper's epoch budget (up to
 * 300 epochs, patience 10) instead of the fit loop's 1000. Deliberately different from `dtl train`'s
 * 1000 (kept: changing either would change the runs already made with their defaults).
 */
export const RUN_SECTION_DEFAULTS = {
  pretrain: { model: 'lightgcn', sampler: 'rns', epochs: 300 },
  train: { model: 'lightgcn', sampler: 'dtl', epochs: 300 },
} as const;
