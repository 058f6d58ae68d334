import { z } from 'zod';

const positiveInt = z.number().int().positive();

/**
 * The training keys of the one train vocabulary, with their help text and ranges: `dtl train`'s flags
 * (kebab case: `evalEvery` = `--eval-every`), `dtl train --config` keys and `dtl run`'s
 * pretrain/train/baseline section keys. No defaults here: they live in train-defaults.ts (`dtl
 * train`) and the pipeline's sections (config.ts). The sampler keys are `SAMPLER_OPTIONS_SHAPE`
 * (samplers.ts); `model` and `sampler` choices come from the registries.
 */
export const TRAIN_OPTIONS_SHAPE = {
  epochs: positiveInt.describe('maximum epochs'),
  evalEvery: positiveInt.describe('evaluate on valid every K epochs'),
  patience: positiveInt.describe('stop after P evaluations without a better valid Recall@20'),
  lr: z.number().positive().describe('learning rate'),
  dim: positiveInt.describe('embedding size'),
  layers: z.number().int().min(0).describe('LightGCN propagation layers'),
  batchSize: positiveInt.describe('training pairs per batch'),
  l2: z.number().min(0).describe('L2 coefficient on the batch layer-0 rows (λ/2/B)'),
  optimizer: z.enum(['adam', 'lazy-adam', 'sgd']).describe('adam = PyTorch dense semantics'),
  negatives: positiveInt.describe('negatives per positive'),
  lrSchedule: z.enum(['constant', 'cosine']).describe('learning-rate schedule over the epochs: cosine decays lr to lrFinal at the last epoch (default constant)'),
  lrFinal: z.number().min(0).describe('learning rate at the last epoch of the cosine schedule (default 0)'),
} as const;

/** The flag placeholders that are not `<n>` / `<x>` (kept as `dtl train --help` always showed them). */
export const TRAIN_FLAG_PLACEHOLDERS: Readonly<Record<string, string>> = { evalEvery: 'k', patience: 'p', negatives: 'k', treePool: 'share', optimizer: 'kind', lrSchedule: 'kind' };
