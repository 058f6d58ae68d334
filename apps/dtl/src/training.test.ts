import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSynthetic, writeLightGcnDataset } from '@dtl/data';
import { readCheckpoint } from '@dtl/models';
import { runTraining } from './training.ts';
import { DEFAULT_TRAIN_CONFIG } from './train-defaults.ts';
import { readResultJson } from './run-dir/index.ts';

const root = mkdtempSync(join(tmpdir(), 'dtl-training-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dataDir = join(root, 'data');
writeLightGcnDataset(dataDir, generateSynthetic({ preset: 'tiny' }).data);

describe('runTraining with the DENS sampler', () => {
  for (const model of ['mf', 'lightgcn'] as const) {
    it(`${model}: trains the model's DENS gates with the embeddings and checkpoints them`, async () => {
      const out = join(root, `dens-${model}`);
      const config = { ...DEFAULT_TRAIN_CONFIG, data: dataDir, model, layers: 2, dim: 16, batchSize: 256, epochs: 4, evalEvery: 2, sampler: { name: 'dens' as const, candidates: 4 } };
      const summary = await runTraining(config, out, { threads: 1 });
      expect(summary.epochs_run).toBe(4);
      expect(summary.test?.['recall@20']).toBeGreaterThan(0);
      const { tensors } = readCheckpoint(join(out, 'checkpoint.bin'));
      const gates = Object.entries(tensors).find(([name]) => name.endsWith('dens.gates'))?.[1];
      expect(gates?.length).toBe(4 * (16 * 16 + 16));
      // Trained: Adam moments of the gates are non-zero after the steps.
      expect(Object.entries(tensors).find(([name]) => name.endsWith('dens.adam.m'))?.[1].some((v) => v !== 0)).toBe(true);
      // Same seed, same result (rerun into a fresh directory).
      const again = await runTraining(config, join(root, `dens-${model}-again`), { threads: 1 });
      expect(again.test).toEqual(summary.test);
    });
  }

  it('refuses DENS with a model that has no gates', async () => {
    const config = { ...DEFAULT_TRAIN_CONFIG, data: dataDir, model: 'two-tower' as const, dim: 8, epochs: 1, sampler: { name: 'dens' as const } };
    await expect(runTraining(config, join(root, 'dens-two-tower'), { threads: 1 })).rejects.toThrow(/only mf and lightgcn/);
  });
});

describe('runTraining: result.json (issue 17)', () => {
  it('reports median_seconds_per_epoch beside the mean seconds_per_epoch, in the summary and result.json', async () => {
    const out = join(root, 'median');
    const config = { ...DEFAULT_TRAIN_CONFIG, data: dataDir, dim: 8, batchSize: 512, epochs: 3, evalEvery: 3 };
    const summary = await runTraining(config, out, { threads: 1 });
    const seconds = summary.history.map((h) => h.seconds).sort((a, b) => a - b);
    expect(summary.median_seconds_per_epoch).toBe(seconds[1]);
    expect(summary.seconds_per_epoch).toBeCloseTo(seconds.reduce((s, x) => s + x, 0) / 3, 9);
    expect(readResultJson(out)?.median_seconds_per_epoch).toBe(summary.median_seconds_per_epoch);
  });
});

describe('runTraining: fixed epochs and learning-rate schedules (issue 18)', () => {
  const base = { ...DEFAULT_TRAIN_CONFIG, data: dataDir, model: 'lightgcn' as const, layers: 2, dim: 8, batchSize: 512, epochs: 6, evalEvery: 2, lr: 0.01 };

  it('without validation (carveValid 0): test every evalEvery epochs as a learning curve, the last epoch reported', async () => {
    const noValid = join(root, 'data-no-valid');
    writeLightGcnDataset(noValid, { ...generateSynthetic({ preset: 'tiny' }).data, valid: undefined });
    const summary = await runTraining({ ...base, data: noValid, carveValid: 0 }, join(root, 'curve'), { threads: 1 });
    expect(summary.valid).toBeUndefined();
    expect(summary.history.filter((h) => h.test).map((h) => h.epoch)).toEqual([2, 4, 6]);
    expect(summary.history.every((h) => h.valid === undefined)).toBe(true);
    expect(summary.best_epoch).toBe(6);
    expect(summary.test).toEqual(summary.history[5]!.test);
  });

  it('cosine decays the rate (other losses than constant), constant and absent keys keep the run as before', async () => {
    const plain = await runTraining(base, join(root, 'lr-plain'), { threads: 1 });
    const constant = await runTraining({ ...base, lrSchedule: 'constant' }, join(root, 'lr-constant'), { threads: 1 });
    expect(constant.history.map((h) => h.loss)).toEqual(plain.history.map((h) => h.loss));
    const cosine = await runTraining({ ...base, lrSchedule: 'cosine', lrFinal: 0.001 }, join(root, 'lr-cosine'), { threads: 1 });
    expect(cosine.history[0]!.loss).toBe(plain.history[0]!.loss); // epoch 1 at the full rate
    expect(cosine.history[5]!.loss).not.toBe(plain.history[5]!.loss);
    const runJson = JSON.parse(readFileSync(join(root, 'lr-plain', 'run.json'), 'utf8')) as { config: Record<string, unknown> };
    expect('lrSchedule' in runJson.config).toBe(false);
  });

  it('refuses lrFinal above lr, or without a decaying schedule, before the run directory is claimed', async () => {
    await expect(runTraining({ ...base, lrSchedule: 'cosine', lrFinal: 0.5 }, join(root, 'lr-bad'), { threads: 1 })).rejects.toThrow(/above lr/);
    await expect(runTraining({ ...base, lrFinal: 0.001 }, join(root, 'lr-bad2'), { threads: 1 })).rejects.toThrow(/needs a decaying schedule/);
    expect(existsSync(join(root, 'lr-bad', 'run.json'))).toBe(false);
  });
});
