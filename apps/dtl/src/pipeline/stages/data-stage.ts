import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { InteractionData } from '@dtl/core';
import { datasetStats, generateSynthetic, writeLightGcnDataset, writeLightGcnFile } from '@dtl/data';
import type { DatasetStats } from '@dtl/data';
import { loadTrainingData } from '../../run-dir/index.ts';
import type { PipelineStage } from '../stage-runner.ts';
import { fileHash, hash } from './context.ts';
import type { StageContext } from './context.ts';

/** The dataset of a run, loaded once (validation carved by the run-dir rule) and handed to every stage. */
export interface LoadedData {
  readonly dir: string;
  readonly data: InteractionData;
  readonly validCarved: boolean;
}

export interface DataRecord {
  readonly dir: string;
  readonly stats: DatasetStats;
}

function load(ctx: StageContext, dir: string): LoadedData {
  return { dir, ...loadTrainingData(dir, ctx.config.carveValid, ctx.config.seed) };
}

/**
 * Stage 1, data: the configured folder, or the embedded synthetic dataset written to `RUN/data`
 * (with its planted true preferences, in no split, so the judge stage can measure FNI exactly).
 * Key: the folder's split files' bytes, or the synthetic preset and seed.
 */
export const dataStage: PipelineStage<StageContext, DataRecord, LoadedData> = {
  name: 'data',
  key: ({ config }) =>
    config.data ? hash('dir', fileHash(['train.txt', 'valid.txt', 'test.txt', 'stats.json'].map((f) => join(resolve(config.data!), f)))) : hash('synthetic', config.synthetic),
  async run(ctx) {
    const { config } = ctx;
    let dir: string;
    if (config.data) dir = resolve(config.data);
    else {
      dir = join(ctx.runDir, 'data');
      const synthetic = generateSynthetic({ preset: config.synthetic.preset, seed: config.synthetic.seed });
      writeLightGcnDataset(dir, synthetic.data);
      mkdirSync(join(dir, 'truth'), { recursive: true });
      writeLightGcnFile(join(dir, 'truth', 'preferences.txt'), synthetic.truth.preferences);
    }
    const loaded = load(ctx, dir);
    return { record: { dir, stats: datasetStats(loaded.data) }, loaded };
  },
  load: (ctx, record) => load(ctx, record.dir),
};
