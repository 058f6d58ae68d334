import { join } from 'node:path';

/**
 * The names of everything the app writes into a run directory, in one place. `dtl train --out R`:
 * `run.json` (settings + fingerprint, written once the run can start), `checkpoint.bin` (every
 * evaluation; written by `fit` in @dtl/models under this name), `result.json` (at the end) and
 * `embeddings/{user,item}.txt` (best-epoch pooled embeddings); `run.lock` while a process works in it.
 * `dtl run --out R`: `pipeline.json` and `stages/<name>/` (each a train run or a stage's artifacts).
 * `dtl judge --run R`: `judge-cache.sqlite`, `false-negatives.json`; codes are read from `trees/`.
 *
 * JSON naming convention: keys of JSON the app writes or prints are snake_case (`best_epoch`,
 * `seconds_per_epoch`, `run_dir`), except settings echoed from a config (run.json's `config`,
 * pipeline.json's `config`, which keep the camelCase of the config schema) and the few historical
 * camelCase keys that results and experiments already read (`runDir` in result.json,
 * `falseNegatives` in run.json) — those are never renamed; new keys are snake_case.
 */
export const RUN_JSON = 'run.json';
export const RESULT_JSON = 'result.json';
export const PIPELINE_JSON = 'pipeline.json';
export const CHECKPOINT_FILE = 'checkpoint.bin';
export const EMBEDDINGS_DIR = 'embeddings';
export const USER_EMBEDDINGS_FILE = 'user.txt';
export const ITEM_EMBEDDINGS_FILE = 'item.txt';
/** The lock file's name inside a run directory. */
export const RUN_LOCK_FILE = 'run.lock';
export const TREES_DIR = 'trees';
export const JUDGE_CACHE_FILE = 'judge-cache.sqlite';
export const FALSE_NEGATIVES_FILE = 'false-negatives.json';
/** Pipeline stage folders: `stages/<name>/`. */
export const STAGES_DIR = 'stages';

/** The `format` tags of the run directory's JSON files. */
export const RUN_FORMAT = 'dtl-train-run';
export const PIPELINE_FORMAT = 'dtl-pipeline-run';

/** Absolute-or-relative paths of a run directory's files (relative to the cwd as `runDir` is). */
export function runPaths(runDir: string) {
  const embeddings = join(runDir, EMBEDDINGS_DIR);
  return {
    dir: runDir,
    runJson: join(runDir, RUN_JSON),
    resultJson: join(runDir, RESULT_JSON),
    pipelineJson: join(runDir, PIPELINE_JSON),
    checkpoint: join(runDir, CHECKPOINT_FILE),
    lock: join(runDir, RUN_LOCK_FILE),
    embeddings,
    userEmbeddings: join(embeddings, USER_EMBEDDINGS_FILE),
    itemEmbeddings: join(embeddings, ITEM_EMBEDDINGS_FILE),
    trees: join(runDir, TREES_DIR),
    judgeCache: join(runDir, JUDGE_CACHE_FILE),
    falseNegatives: join(runDir, FALSE_NEGATIVES_FILE),
    stage: (name: string) => join(runDir, STAGES_DIR, name),
  } as const;
}
