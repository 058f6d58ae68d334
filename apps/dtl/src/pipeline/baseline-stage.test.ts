import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDtlError } from '@dtl/core';
import { baselineSectionOf, parsePipelineConfig } from './config.ts';
import { runPipeline } from './run-pipeline.ts';
import { baselineSummary, compareWithBaseline, signed, signedPercent } from './baseline-comparison.ts';
import { validatePipelineSettings } from './validate-config.ts';

// Issue 19: `dtl run` trains the strongest baseline (MixGCF) beside DTL-NS on the same data and budget.

const dirs: string[] = [];
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'dtl-baseline-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const small = {
  synthetic: { preset: 'tiny', seed: 3 },
  threads: 1,
  pretrain: { model: 'mf', epochs: 6, lr: 0.01, dim: 16 },
  trees: { leafSize: 10 },
  train: { model: 'mf', epochs: 8, evalEvery: 4, lr: 0.01, dim: 16 },
};

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

describe('the baseline stage', () => {
  it('trains mixgcf with the train budget on the observed train set, records both, is skipped on a rerun and resumes after a kill', async () => {
    const runDir = temp();
    const config = parsePipelineConfig(small);
    const first = await runPipeline(config, runDir);
    expect(Object.keys(first.stages)).toEqual(['data', 'pretrain', 'trees', 'judge', 'train', 'baseline']);
    expect(first.stages['baseline']!.skipped).toBe(false);
    expect(first.baseline).toBe('stages/baseline');
    expect(first.baseline_result?.sampler).toBe('mixgcf');
    expect(first.baseline_result?.protocol).toBe('clean');
    expect(first.baseline_result?.test?.['recall@20']).toBeGreaterThan(0);
    // Same model, budget and seed as the train stage; only the sampler differs.
    const run = readJson(join(runDir, 'stages/baseline/run.json')) as { config: Record<string, unknown> & { sampler: { name: string } } };
    const trainRun = readJson(join(runDir, 'stages/train/run.json')) as { config: Record<string, unknown> & { sampler: { name: string } } };
    expect(run.config.sampler.name).toBe('mixgcf');
    for (const key of ['model', 'epochs', 'evalEvery', 'patience', 'lr', 'dim', 'layers', 'batchSize', 'l2', 'seed', 'data', 'carveValid', 'negatives', 'optimizer']) {
      expect(run.config[key], key).toEqual(trainRun.config[key]);
    }
    // No judged false negatives: neither in its fingerprint nor in its result.
    const result = readJson(join(runDir, 'stages/baseline/result.json'));
    expect(result.false_negatives).toBeUndefined();
    expect(result.leaky).toBe(false);
    expect((readJson(join(runDir, 'stages/train/result.json')).false_negatives as { pairs: number }).pairs).toBeGreaterThan(0);
    // pipeline.json records both and the comparison.
    const saved = readJson(join(runDir, 'pipeline.json')) as { comparison: Array<{ metric: string; gain: number; baseline: number; dtl_ns: number }> };
    expect(saved.comparison[0]!.metric).toBe('recall@20');
    expect(saved.comparison[1]!.metric).toBe('ndcg@20');
    expect(saved.comparison[0]!.dtl_ns).toBe(first.test!['recall@20']);
    expect(saved.comparison[0]!.baseline).toBe(first.baseline_result!.test!['recall@20']);
    expect(saved.comparison[0]!.gain).toBeCloseTo(first.test!['recall@20']! - first.baseline_result!.test!['recall@20']!, 12);

    // Rerun: skipped from its cache, same numbers.
    const second = await runPipeline(config, runDir);
    expect(second.stages['baseline']!.skipped).toBe(true);
    expect(second.baseline_result).toEqual(first.baseline_result);

    // A change to the judge retrains DTL-NS but never the baseline (it does not read the judge).
    const stricter = await runPipeline(parsePipelineConfig({ ...small, judge: { threshold: 0.5 } }), runDir);
    expect(stricter.stages['train']!.skipped).toBe(false);
    expect(stricter.stages['baseline']!.skipped).toBe(true);

    // Killed after its last checkpoint, before it recorded its output: the rerun resumes, same numbers.
    rmSync(join(runDir, 'stages/baseline/stage.json'));
    rmSync(join(runDir, 'stages/baseline/result.json'));
    const resumed = await runPipeline(parsePipelineConfig({ ...small, judge: { threshold: 0.5 } }), runDir);
    expect(resumed.stages['baseline']!.skipped).toBe(false);
    expect((readJson(join(runDir, 'stages/baseline/result.json')) as { resumed_from_epoch: number }).resumed_from_epoch).toBeGreaterThan(0);
    expect(resumed.baseline_result?.test).toEqual(first.baseline_result?.test);
  });

  it('takes train-section overrides inside baseline:, and its own changes retrain only it', async () => {
    const runDir = temp();
    const config = parsePipelineConfig({ ...small, fn: { use: 'none' }, baseline: { sampler: 'dns', candidates: 5 } });
    const b = baselineSectionOf(config)!;
    expect(b.sampler).toBe('dns');
    expect(b.candidates).toBe(5);
    expect(b.epochs).toBe(8);
    expect(b.lr).toBe(0.01);
    const first = await runPipeline(config, runDir);
    expect(first.baseline_result?.sampler).toBe('dns');
    const run = readJson(join(runDir, 'stages/baseline/run.json')) as { config: { sampler: { name: string; candidates: number } } };
    expect(run.config.sampler).toMatchObject({ name: 'dns', candidates: 5 });
    const changed = await runPipeline(parsePipelineConfig({ ...small, fn: { use: 'none' }, baseline: { sampler: 'dns', candidates: 6 } }), runDir);
    expect(changed.stages['train']!.skipped).toBe(true);
    expect(changed.stages['baseline']!.skipped).toBe(false);
  });

  it('baseline: false removes the stage and its records', async () => {
    const runDir = temp();
    const result = await runPipeline(parsePipelineConfig({ ...small, fn: { use: 'none' }, baseline: false }), runDir);
    expect(Object.keys(result.stages)).not.toContain('baseline');
    expect(result.baseline).toBeUndefined();
    expect(result.comparison).toBeUndefined();
    expect(existsSync(join(runDir, 'stages/baseline'))).toBe(false);
    expect(readJson(join(runDir, 'pipeline.json')).baseline_result).toBeUndefined();
  });

  it('is validated before any work: an unknown key, a dtl baseline, a bad value', async () => {
    expect(() => parsePipelineConfig({ baseline: { sampler: 'nope' } })).toThrow(/baseline\.sampler/);
    expect(() => parsePipelineConfig({ baseline: { epochz: 3 } })).toThrow(/baseline/);
    expect(() => parsePipelineConfig({ baseline: true })).toThrow(/baseline/);
    try {
      validatePipelineSettings(parsePipelineConfig({ baseline: { sampler: 'dtl' } }));
      expect.unreachable();
    } catch (e) {
      expect(isDtlError(e, 'INVALID_ARGUMENT')).toBe(true);
      expect((e as Error).message).toMatch(/baseline\.sampler: .*plain sampler/);
    }
    const runDir = temp();
    const t0 = performance.now();
    await expect(runPipeline(parsePipelineConfig({ ...small, baseline: { sampler: 'dnsmn', candidates: 1 } }), runDir)).rejects.toThrow(/baseline \(sampler dnsmn\)/);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(existsSync(join(runDir, 'stages/pretrain'))).toBe(false);
  });
});

describe('baseline comparison', () => {
  it('signs every gain explicitly and says which is higher', () => {
    const c = compareWithBaseline({ 'recall@5': 0.1, 'hit@20': 0.5, 'ndcg@20': 0.2, 'recall@20': 0.3 }, { 'recall@5': 0.1, 'recall@20': 0.25, 'ndcg@20': 0.21, 'hit@20': 0.5 });
    expect(c.map((m) => m.metric)).toEqual(['recall@20', 'ndcg@20', 'hit@20', 'recall@5']);
    expect(c[0]).toMatchObject({ higher: 'dtl-ns' });
    expect(c[0]!.relative_gain).toBeCloseTo(0.2, 12);
    expect(c[1]).toMatchObject({ higher: 'baseline' });
    expect(c[2]).toMatchObject({ gain: 0, higher: 'tie' });
    expect(signed(0.05)).toBe('+0.0500');
    expect(signed(-0.05)).toBe('−0.0500');
    expect(signed(0)).toBe('±0.0000');
    expect(signedPercent(-0.0476)).toBe('−4.76 %');
    expect(signedPercent(null)).toBe('n/a');
    const text = baselineSummary({ model: 'lightgcn', sampler: 'mixgcf', best_epoch: 20 }, c, false);
    expect(text).toMatch(/Recall@20 +0\.2500 +0\.3000 +\+0\.0500 +\+20\.00 % +DTL-NS higher/);
    expect(text).toMatch(/NDCG@20 +0\.2100 +0\.2000 +−0\.0100 +−4\.76 % +mixgcf higher/);
  });
});
