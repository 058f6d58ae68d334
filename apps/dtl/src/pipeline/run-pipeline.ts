import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DenseMatrix, EpochRecordLike } from './types.ts';
import { DtlError } from '@dtl/core';
import { datasetStats, generateSynthetic, readMatrixText, writeLightGcnDataset, writeLightGcnFile } from '@dtl/data';
import type { DatasetStats } from '@dtl/data';
import { createDualCodebook } from '@dtl/encoding';
import { readFalseNegativeSet } from '@dtl/llm-fn';
import type { ProgressFn } from '@dtl/core';
import { parseLlmSpec } from '../providers.ts';
import { buildDualTrees } from '../stages/build-trees.ts';
import { PIPELINE_FORMAT, fingerprintOf, readPipelineJson, readRunEmbeddings, runPaths, writePipelineJson } from '../run-dir/index.ts';
import type { BuildTreesResult } from '../stages/build-trees.ts';
import { judgeFalseNegatives, readPlantedPreferences, writeJudgeBatchFile } from '../stages/judge-false-negatives.ts';
import type { JudgeFalseNegativesResult } from '../stages/judge-false-negatives.ts';
import { loadForTraining, runTraining } from '../training.ts';
import type { TrainConfig, TrainSummary } from '../training.ts';
import type { PipelineConfig, TrainSectionConfig } from './config.ts';
import { runStage } from './stage-runner.ts';
import { readCodesFile } from '../code-files.ts';
import { trainConfigOf } from './section-config.ts';
import { baselineSectionOf } from './config.ts';
import { compareWithBaseline } from './baseline-comparison.ts';
import type { MetricComparison } from './baseline-comparison.ts';
import { validatePipelineSettings, validateSettingsAgainstData } from './validate-config.ts';
import { ensureRunDir, withRunLock } from '../run-lock.ts';
import type { StageRecord } from './stage-runner.ts';

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
  readonly trees?: Omit<BuildTreesResult, 'codes'>;
  readonly fni?: JudgeFalseNegativesResult['result'];
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

/** A stage key: the app's one fingerprint of the parts (same digits as before the run-dir module). */
function hash(...parts: unknown[]): string {
  return fingerprintOf(parts);
}

function fileHash(paths: string[]): string {
  const h = createHash('sha256');
  for (const p of paths) {
    h.update(p.replace(/.*\//, ''));
    if (existsSync(p)) h.update(readFileSync(p));
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * The whole DTL-NS pipeline (method.md): data → pretrain (CF model with RNS) → dual trees (co from
 * the train co-occurrence graph, se from the pretrained item embeddings) → candidates + judge
 * (false negatives) → train with the DTL multi-view sampler on the enhanced positive set → report.
 * Each stage writes its artifacts under `runDir/stages/<name>/`, is skipped when its input key is
 * unchanged, and resumes after a crash. `pipeline.json` is rewritten after every stage.
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
  const leaky = config.protocol === 'paper';
  const record = (name: string, r: StageRecord): void => {
    stages[name] = r;
    hooks.onStage?.(name, r);
  };
  let partial: Partial<PipelineResult> = {};
  const save = (): void => writePipelineJson(runDir, { format: PIPELINE_FORMAT, version: 1, run_dir: runDir, protocol: config.protocol, leaky, config, stages, ...partial });

  // 1. data
  const syntheticDir = join(runDir, 'data');
  const dataKey = config.data
    ? hash('dir', fileHash(['train.txt', 'valid.txt', 'test.txt', 'stats.json'].map((f) => join(resolve(config.data!), f))))
    : hash('synthetic', config.synthetic);
  const dataStage = await runStage(runDir, 'data', dataKey, async () => {
    let dir: string;
    if (config.data) dir = resolve(config.data);
    else {
      const synthetic = generateSynthetic({ preset: config.synthetic.preset, seed: config.synthetic.seed });
      writeLightGcnDataset(syntheticDir, synthetic.data);
      // The planted true preferences (in no split) let the judge stage measure FNI exactly.
      mkdirSync(join(syntheticDir, 'truth'), { recursive: true });
      writeLightGcnFile(join(syntheticDir, 'truth', 'preferences.txt'), synthetic.truth.preferences);
      dir = syntheticDir;
    }
    const loaded = loadForTraining(dir, config.carveValid, config.seed);
    return { dir, stats: datasetStats(loaded) };
  });
  record('data', dataStage.record);
  const dataDir = dataStage.output.dir;
  partial = { ...partial, dataset: { ...dataStage.output.stats, dir: dataDir } };
  save();
  const data = loadForTraining(dataDir, config.carveValid, config.seed);
  info(`data: ${dataDir} — ${data.nUsers} users × ${data.nItems} items, ${data.train.indices.length} train interactions`);
  validateSettingsAgainstData(config, data);

  // 2. pretrain
  const pretrainConfig = trainConfigOf(config.pretrain, dataDir, config);
  const pretrainKey = hash(dataKey, pretrainConfig);
  const pretrainDir = runPaths(runDir).stage('pretrain');
  const pretrainStage = await runStage(runDir, 'pretrain', pretrainKey, async (dir) => {
    info(`pretrain: ${config.pretrain.model} + ${config.pretrain.sampler}`);
    const s = await runTraining(pretrainConfig, dir, {
      threads: config.threads,
      onEpoch: (e) => hooks.onEpoch?.('pretrain', e),
      onProgress: hooks.onProgress,
      onInfo: info,
    });
    return summaryOf(s);
  });
  record('pretrain', pretrainStage.record);
  partial = { ...partial, pretrain: 'stages/pretrain' };
  save();

  // 3. trees
  const useGivenCodes = Boolean(config.trees.codesCo && config.trees.codesSe);
  const treesKey = useGivenCodes
    ? hash('given', fileHash([resolve(config.trees.codesCo!), resolve(config.trees.codesSe!)]), config.trees.codesOffset)
    : hash(dataKey, pretrainKey, config.trees, config.seed);
  const treesStage = await runStage(runDir, 'trees', treesKey, async (dir) => {
    if (useGivenCodes) {
      info(`trees: using given codes ${config.trees.codesCo}, ${config.trees.codesSe}`);
      return { given: true as const, files: { co: resolve(config.trees.codesCo!), se: resolve(config.trees.codesSe!) }, offset: config.trees.codesOffset };
    }
    const itemEmbPath = runPaths(pretrainDir).itemEmbeddings;
    const itemEmbeddings: DenseMatrix = readMatrixText(itemEmbPath);
    const built = buildDualTrees({
      train: data.train,
      itemEmbeddings,
      itemEmbeddingsName: itemEmbPath,
      builder: config.trees.builder,
      k: config.trees.k,
      leafSize: config.trees.leafSize,
      dim: config.trees.dim,
      seed: config.seed,
      outDir: dir,
      similarityPairs: 50_000,
      onInfo: info,
    });
    const { codes: _codes, ...rest } = built;
    return { given: false as const, ...rest, offset: 0 };
  });
  record('trees', treesStage.record);
  const treeFiles = treesStage.output.files;
  const codeOpts = { offset: treesStage.output.offset, nItems: data.nItems };
  const codes = createDualCodebook(readCodesFile(treeFiles.co, codeOpts), readCodesFile(treeFiles.se, codeOpts));
  if (!treesStage.output.given) {
    const { given: _g, offset: _o, ...treeSummary } = treesStage.output;
    partial = { ...partial, trees: treeSummary as Omit<BuildTreesResult, 'codes'> };
  }
  save();

  // 4. candidates + judge
  // Batch settings choose how the calls are made, not what they answer: not part of the key.
  const { batch: _batch, ...judgeSettings } = config.judge;
  const judgeKey = hash(pretrainKey, treesKey, judgeSettings);
  let fnPairsPath: string | undefined;
  if (config.fn.use !== 'none') {
    const judgeStage = await runStage(runDir, 'judge', judgeKey, async (dir) => {
      const { users: userEmb, items: itemEmb } = readRunEmbeddings(pretrainDir);
      const judgeOptions = {
        data,
        userEmb,
        itemEmb,
        codes,
        spec: parseLlmSpec(config.judge.llm),
        per: config.judge.per,
        concurrency: config.judge.concurrency,
        users: config.judge.users,
        candidates: config.judge.candidates,
        cachePath: join(dir, 'judge-cache.sqlite'),
        artifactPath: join(dir, 'false-negatives.json'),
        rule: { mode: config.judge.ruleMode, threshold: config.judge.threshold },
        tokenBudget: config.judge.tokenBudget,
        timeoutMs: config.judge.timeoutMs,
        retries: config.judge.retries,
        threads: config.judge.threads,
        artifactMeta: { run: runDir },
        onInfo: info,
        planted: readPlantedPreferences(dataDir, data.nUsers, data.nItems),
      };
      const batch = config.judge.batch;
      const batchIn = batch?.in !== undefined && existsSync(batch.in) ? batch.in : undefined;
      const judged = batch && !batchIn ? undefined : await judgeFalseNegatives({ ...judgeOptions, batchIn, batchResponseFormat: batch?.format });
      if (batch && (!judged || judged.result.missing > 0)) {
        // Offline judging: write what is still unanswered and pause; a rerun with the results continues.
        const outFile = resolve(batch.out ?? join(dir, 'batch-requests.jsonl'));
        const w = await writeJudgeBatchFile({ ...judgeOptions, batchOut: outFile, batchResponseFormat: batch.format });
        throw new DtlError(
          'CANCELLED',
          `judge stage paused: wrote ${w.written} batch requests (${w.cached} already answered) to ${outFile}. Run them where the model is served ` +
            `(e.g. vllm run-batch -i ${outFile} -o results.jsonl --model ${w.model}), set judge.batch.in to the results file${batch.in ? ` (now ${batch.in}${batchIn ? ', which left ' + (judged?.result.missing ?? 0) + ' requests unanswered' : ', which does not exist yet'})` : ''} and rerun dtl run — finished stages are skipped`,
        );
      }
      if (!judged) throw new DtlError('STATE_MISMATCH', 'judge stage: no result');
      if (judged.result.failed > 0) {
        throw new DtlError('PROVIDER_FAILURE', `${judged.result.failed} judge requests failed; rerun to retry them (completed calls are cached)`);
      }
      return judged.result;
    }, { keep: ['judge-cache.sqlite'] });
    record('judge', judgeStage.record);
    fnPairsPath = judgeStage.output.artifact;
    partial = { ...partial, fni: judgeStage.output };
    save();
  }

  // 5. train with the multi-view sampler on the enhanced positive set
  const trainConfig = trainConfigOf(config.train, dataDir, config, { co: treeFiles.co, se: treeFiles.se, offset: treesStage.output.offset });
  const trainKey = hash(dataKey, treesKey, config.fn.use === 'none' ? 'no-fn' : judgeKey, config.fn, trainConfig, config.protocol);
  const trainStage = await runStage(runDir, 'train', trainKey, async (dir) => {
    info(`train: ${config.train.model} + ${config.train.sampler}${fnPairsPath ? `, judged false negatives as ${config.fn.use}` : ''}${leaky ? ' [LEAKY paper protocol]' : ''}`);
    const fnSet = fnPairsPath ? readFalseNegativeSet(fnPairsPath) : undefined;
    const s = await runTraining(
      trainConfig,
      dir,
      {
        codebooks: codes,
        threads: config.threads,
        protocol: config.protocol,
        falseNegatives: fnSet && config.fn.use !== 'none' ? { pairs: fnSet.pairs, use: config.fn.use, weight: config.fn.weight, label: 'judge stage' } : undefined,
        onEpoch: (e) => hooks.onEpoch?.('train', e),
        onProgress: hooks.onProgress,
        onInfo: info,
      },
    );
    return summaryOf(s);
  });
  record('train', trainStage.record);
  partial = { ...partial, train: 'stages/train', test: trainStage.output.test, valid: trainStage.output.valid, best_epoch: trainStage.output.best_epoch };
  save();

  // 6. the baseline (issue 19): the same model, budget, seed and data as the train stage with a plain
  // sampler (MixGCF by default), never given judged false negatives nor codes — the observed train
  // set only, i.e. exactly what the DTL-NS model would train on under the clean protocol without the
  // judge. Its key leaves out the trees, the judge and the protocol: changing those never retrains it.
  const baseline = baselineSectionOf(config);
  if (baseline) {
    const baselineConfig = trainConfigOf(baseline, dataDir, config);
    const baselineKey = hash(dataKey, 'baseline', baselineConfig);
    const baselineStage = await runStage(runDir, 'baseline', baselineKey, async (dir) => {
      info(`baseline: ${baseline.model} + ${baseline.sampler} on the observed train set (no judged false negatives, clean protocol), same budget as train`);
      const s = await runTraining(baselineConfig, dir, {
        threads: config.threads,
        protocol: 'clean',
        onEpoch: (e) => hooks.onEpoch?.('baseline', e),
        onProgress: hooks.onProgress,
        onInfo: info,
      });
      return summaryOf(s);
    });
    record('baseline', baselineStage.record);
    const b = baselineStage.output;
    const dtlTest = trainStage.output.test;
    partial = {
      ...partial,
      baseline: 'stages/baseline',
      baseline_result: { model: baseline.model, sampler: baseline.sampler, protocol: 'clean', test: b.test, valid: b.valid, best_epoch: b.best_epoch, epochs_run: b.epochs_run },
      ...(dtlTest && b.test ? { comparison: compareWithBaseline(dtlTest, b.test) } : {}),
    };
    save();
  }

  // 7. report
  if (hooks.writeReport) {
    const t0 = performance.now();
    const report = await hooks.writeReport(runDir);
    record('report', { seconds: (performance.now() - t0) / 1000, skipped: false, key: '', producedInSeconds: (performance.now() - t0) / 1000 });
    partial = { ...partial, report };
    save();
  }
  return readPipelineJson(runDir);
}

function summaryOf(s: TrainSummary): Omit<TrainSummary, 'history'> {
  const { history: _history, ...rest } = s;
  return rest;
}
