import { resolve } from 'node:path';
import type { EpochRecordLike } from './types.ts';
import type { DatasetStats } from '@dtl/data';
import type { ProgressFn } from '@dtl/core';
import { PIPELINE_FORMAT, readPipelineJson, writePipelineJson } from '../run-dir/index.ts';
import { isLeaky } from '../protocol.ts';
import type { PipelineConfig } from './config.ts';
import { baselineSectionOf } from './config.ts';
import { compareWithBaseline } from './baseline-comparison.ts';
import type { MetricComparison } from './baseline-comparison.ts';
import { validatePipelineSettings, validateSettingsAgainstData } from './validate-config.ts';
import { ensureRunDir, withRunLock } from '../run-lock.ts';
import { runPipelineStage } from './stage-runner.ts';
import type { PipelineStage, StageOutput, StageRecord } from './stage-runner.ts';
import type { StageContext } from './stages/context.ts';
import { dataStage } from './stages/data-stage.ts';
import { pretrainStage } from './stages/pretrain-stage.ts';
import { treesStage } from './stages/trees-stage.ts';
import type { TreesSummary } from './stages/trees-stage.ts';
import { judgeStage } from './stages/judge-stage.ts';
import type { JudgeRecord } from './stages/judge-stage.ts';
import { trainStage } from './stages/train-stage.ts';
import { baselineStage } from './stages/baseline-stage.ts';

export interface PipelineHooks {
  readonly onInfo?: (line: string) => void;
  readonly onStage?: (name: string, record: StageRecord) => void;
  readonly onEpoch?: (stage: string, record: EpochRecordLike) => void;
  readonly onProgress?: ProgressFn;
  /** Writes the HTML report of the run; returns its path. Injected so the pipeline stays testable. */
  readonly writeReport?: (runDir: string) => Promise<string> | string;
}

export interface PipelineResult {
  readonly format: 'dtl-pipeline-run';
  readonly version: 1;
  readonly run_dir: string;
  readonly protocol: 'clean' | 'paper';
  readonly leaky: boolean;
  readonly config: PipelineConfig;
  readonly dataset: DatasetStats & { readonly dir: string };
  readonly stages: Record<string, StageRecord>;
  readonly trees?: TreesSummary;
  readonly fni?: JudgeRecord;
  readonly pretrain: string;
  readonly train: string;
  /** `null` when the dataset has no (non-empty) test split: never reported as zeros. */
  readonly test: Record<string, number> | null | undefined;
  readonly valid: Record<string, number> | undefined;
  readonly best_epoch: number;
  /** The baseline stage's train run (`stages/baseline`); absent with `baseline: false`. */
  readonly baseline?: string;
  readonly baseline_result?: BaselineResult;
  /** DTL-NS (the train stage) against the baseline, per test metric; absent when either has no test metrics. */
  readonly comparison?: readonly MetricComparison[];
  readonly report?: string;
}

/** What pipeline.json records of the baseline stage. */
export interface BaselineResult {
  readonly model: string;
  readonly sampler: string;
  readonly protocol: 'clean';
  readonly test: Record<string, number> | null | undefined;
  readonly valid: Record<string, number> | undefined;
  readonly best_epoch: number;
  readonly epochs_run: number;
}

/**
 * The whole DTL-NS pipeline (method.md): data → pretrain (CF model with RNS) → dual trees (co from
 * the train co-occurrence graph, se from the pretrained item embeddings) → candidates + judge
 * (false negatives) → train with the DTL multi-view sampler on the enhanced positive set → the
 * baseline beside it (issue 19) → report. Each stage is a module under `stages/` that owns its key,
 * its work and the `load` of its artifacts; this function only hands each stage's loaded output to
 * the next (the dataset is loaded once, codes are read at most once, the sampler gets codebooks).
 * Each stage writes under `runDir/stages/<name>/`, is skipped when its key is unchanged, and resumes
 * after a crash. `pipeline.json` is rewritten after every stage.
 */
export async function runPipeline(config: PipelineConfig, runDirArg: string, hooks: PipelineHooks = {}): Promise<PipelineResult> {
  const runDir = resolve(runDirArg);
  const info = hooks.onInfo ?? (() => {});
  // Every stage's settings are checked before any work (issue 16: a bad judge.llm used to fail after pretraining).
  validatePipelineSettings(config);
  ensureRunDir(runDir);
  return withRunLock(runDir, () => runPipelineLocked(config, runDir, info, hooks), { onWarn: info });
}

async function runPipelineLocked(config: PipelineConfig, runDir: string, info: (line: string) => void, hooks: PipelineHooks): Promise<PipelineResult> {
  const stages: Record<string, StageRecord> = {};
  const leaky = isLeaky(config.protocol);
  let partial: Partial<PipelineResult> = {};
  const save = (): void => writePipelineJson(runDir, { format: PIPELINE_FORMAT, version: 1, run_dir: runDir, protocol: config.protocol, leaky, config, stages, ...partial });
  /** Runs (or loads) one stage, records it and what it adds to pipeline.json. */
  const step = async <I, R, L>(stage: PipelineStage<I, R, L>, input: I, fields: (out: StageOutput<R, L>) => Partial<PipelineResult>): Promise<StageOutput<R, L>> => {
    const out = await runPipelineStage(runDir, stage, input);
    stages[stage.name] = out.stage;
    hooks.onStage?.(stage.name, out.stage);
    partial = { ...partial, ...fields(out) };
    save();
    return out;
  };
  const ctx: StageContext = { config, runDir, info, onEpoch: hooks.onEpoch, onProgress: hooks.onProgress };

  const data = await step(dataStage, ctx, ({ record }) => ({ dataset: { ...record.stats, dir: record.dir } }));
  const d = data.loaded.data;
  info(`data: ${data.loaded.dir} — ${d.nUsers} users × ${d.nItems} items, ${d.train.indices.length} train interactions`);
  validateSettingsAgainstData(config, d);
  const pretrain = await step(pretrainStage, { ctx, data: data.loaded, dataKey: data.key }, () => ({ pretrain: 'stages/pretrain' }));
  const trees = await step(treesStage, { ctx, data: data.loaded, dataKey: data.key, pretrain: pretrain.loaded, pretrainKey: pretrain.key }, ({ loaded }) =>
    loaded.summary ? { trees: loaded.summary } : {},
  );
  const judge =
    config.fn.use !== 'none'
      ? await step(judgeStage, { ctx, data: data.loaded, pretrain: pretrain.loaded, pretrainKey: pretrain.key, trees: trees.loaded, treesKey: trees.key }, ({ record }) => ({ fni: record }))
      : undefined;
  const train = await step(
    trainStage,
    { ctx, data: data.loaded, dataKey: data.key, trees: trees.loaded, treesKey: trees.key, judge: judge ? { loaded: judge.loaded, key: judge.key } : undefined },
    ({ record }) => ({ train: 'stages/train', test: record.test, valid: record.valid, best_epoch: record.best_epoch }),
  );
  const section = baselineSectionOf(config);
  if (section) {
    await step(baselineStage, { ctx, data: data.loaded, dataKey: data.key, section }, ({ record: b }) => ({
      baseline: 'stages/baseline',
      baseline_result: { model: section.model, sampler: section.sampler, protocol: 'clean', test: b.test, valid: b.valid, best_epoch: b.best_epoch, epochs_run: b.epochs_run },
      ...(train.record.test && b.test ? { comparison: compareWithBaseline(train.record.test, b.test) } : {}),
    }));
  }

  if (hooks.writeReport) {
    const t0 = performance.now();
    const report = await hooks.writeReport(runDir);
    const seconds = (performance.now() - t0) / 1000;
    stages['report'] = { seconds, skipped: false, key: '', producedInSeconds: seconds };
    hooks.onStage?.('report', stages['report']);
    partial = { ...partial, report };
    save();
  }
  return readPipelineJson(runDir);
}
