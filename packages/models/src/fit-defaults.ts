/**
 * The defaults of {@link fit}'s options, in one place (the app's `dtl train` reads them too). Early
 * stopping on validation usually ends a run long before `epochs`.
 */
export const FIT_DEFAULTS = {
  negatives: 1,
  epochs: 1000,
  batchSize: 2048,
  seed: 2022,
  evalEvery: 5,
  patience: 10,
  selectMetric: 'recall@20',
  testEachEvaluation: true,
} as const;
