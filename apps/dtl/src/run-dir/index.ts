/**
 * The run directory in one place: file names ({@link runPaths}), typed readers and writers of
 * run.json / result.json / pipeline.json and the embeddings, the one fingerprint, and the one rule
 * for loading a run's dataset (carve included). Atomic writes and the lock come from `@dtl/core/node`.
 */
export {
  CHECKPOINT_FILE,
  EMBEDDINGS_DIR,
  FALSE_NEGATIVES_FILE,
  ITEM_EMBEDDINGS_FILE,
  JUDGE_CACHE_FILE,
  PIPELINE_FORMAT,
  PIPELINE_JSON,
  RESULT_JSON,
  RUN_FORMAT,
  RUN_JSON,
  RUN_LOCK_FILE,
  STAGES_DIR,
  TREES_DIR,
  USER_EMBEDDINGS_FILE,
  runPaths,
} from './files.ts';
export { fingerprintOf } from './fingerprint.ts';
export { readJsonObject } from './read-json.ts';
export { readRunJson, writeRunJson } from './run-json.ts';
export type { RunJson } from './run-json.ts';
export { readResultJson, writeResultJson } from './result-json.ts';
export type { ResultJson } from './result-json.ts';
export { readPipelineJson, writePipelineJson } from './pipeline-json.ts';
export { readRunEmbeddings, writeRunEmbeddings } from './embeddings.ts';
export { loadRunDataset, loadTrainingData, runDatasetSpec } from './run-dataset.ts';
export type { RunDatasetSpec } from './run-dataset.ts';
export { writeFileAtomic, writeJsonAtomic } from '@dtl/core/node';
