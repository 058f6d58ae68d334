import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { InteractionData } from '@dtl/core';
import { loadDataset } from '@dtl/data';
import { DEFAULT_TRAIN_CONFIG } from '../train-defaults.ts';
import type { TrainConfig } from '../training.ts';
import { readRunJson } from './run-json.ts';

/** How a run's dataset is loaded: the folder and the validation carve `dtl train` used. */
export interface RunDatasetSpec {
  readonly dir: string;
  /** Fraction of train carved into validation when the folder has no valid split (0 = never). */
  readonly carveValid: number;
  readonly seed: number;
}

/**
 * The ONE rule for a dataset folder as training loads it: the validation split is carved from train
 * (`carveValid` of each user's items, seeded) when the folder has none. Used by `dtl train` and every
 * command that reads a run, so all of them see the same split.
 */
export function loadTrainingData(dir: string, carveValid: number, seed: number): { data: InteractionData; validCarved: boolean } {
  const { data, report } = loadDataset(dir, carveValid > 0 ? { carveValid: { fraction: carveValid, seed } } : {});
  return { data, validCarved: report.validSource === 'carved' };
}

/**
 * The dataset spec of a run's config: `config.data` (or `data`), `carveValid` and `seed` as the run
 * wrote them (defaults of `dtl train` for keys absent). A relative data path is taken as written (the
 * cwd of `dtl train`) when it exists, else relative to the run directory.
 */
export function runDatasetSpec(runDir: string, data: string, config: Partial<TrainConfig>): RunDatasetSpec {
  const dir = isAbsolute(data) || existsSync(data) ? data : resolve(runDir, data);
  return { dir, carveValid: config.carveValid ?? DEFAULT_TRAIN_CONFIG.carveValid, seed: config.seed ?? DEFAULT_TRAIN_CONFIG.seed };
}

/**
 * Loads exactly the data a `dtl train` run trained on: the folder named in its `run.json` with the
 * same validation carve (fraction and seed). `dtl judge`, `recommend`, `export-emb` and the report use it.
 */
export function loadRunDataset(runDir: string): { data: InteractionData; validCarved: boolean; spec: RunDatasetSpec; config: Partial<TrainConfig> } {
  const run = readRunJson(runDir);
  const spec = runDatasetSpec(runDir, run.data, run.config);
  return { ...loadTrainingData(spec.dir, spec.carveValid, spec.seed), spec, config: run.config };
}
