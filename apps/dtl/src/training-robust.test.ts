import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDtlError } from '@dtl/core';
import { generateSynthetic, writeLightGcnDataset } from '@dtl/data';
import { buildProgram } from './cli.ts';
import { runTraining } from './training.ts';
import { DEFAULT_TRAIN_CONFIG } from './train-defaults.ts';
import type { TrainConfig } from './training.ts';

// Issue 16, classes 5, 11 and 13, through the app's training entry point (what `dtl train` calls).

const root = mkdtempSync(join(tmpdir(), 'dtl-training-robust-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const synthetic = generateSynthetic({ preset: 'tiny', seed: 4 });
const dataDir = join(root, 'data');
writeLightGcnDataset(dataDir, synthetic.data);
const nItems = synthetic.data.nItems;
const codeFile = (name: string): string => {
  const file = join(root, name);
  writeFileSync(file, Array.from({ length: nItems }, (_, i) => `${i}: ${i % 3}-${i % 5}${i % 2 ? '-1' : ''}`).join('\n') + '\n');
  return file;
};
const codesCo = codeFile('codes-co.txt');
const codesSe = codeFile('codes-se.txt');

const quick = (over: Partial<TrainConfig> = {}): TrainConfig => ({ ...DEFAULT_TRAIN_CONFIG, data: dataDir, dim: 8, batchSize: 512, epochs: 2, evalEvery: 1, ...over });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('a failed start leaves nothing behind (class 11)', () => {
  it('a typo in the data folder, then the corrected command in the same run directory', async () => {
    const out = join(root, 'typo');
    const error = await rejection(runTraining(quick({ data: join(root, 'dat') }), out, { threads: 1 }));
    expect(isDtlError(error, 'NOT_FOUND')).toBe(true);
    expect(readdirSync(out)).toEqual([]); // no run.json, no lock
    const summary = await runTraining(quick(), out, { threads: 1 });
    expect(summary.epochs_run).toBe(2);
  });

  it('--sampler dtl without codes, then with codes, in the same run directory', async () => {
    const out = join(root, 'nocodes');
    const error = await rejection(runTraining(quick({ sampler: { name: 'dtl' } }), out, { threads: 1 }));
    expect(isDtlError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(existsSync(join(out, 'run.json'))).toBe(false);
    const summary = await runTraining(quick({ sampler: { name: 'dtl', codesCo, codesSe } }), out, { threads: 1 });
    expect(summary.epochs_run).toBe(2);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).config.sampler.name).toBe('dtl');
  });
});

describe('one code file for the dtl sampler (class 13)', () => {
  it('is refused unless the other view is switched off explicitly, naming the option', async () => {
    const error = await rejection(runTraining(quick({ sampler: { name: 'dtl', codesCo } }), join(root, 'one-view'), { threads: 1 }));
    expect(isDtlError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(/--codes-co was given but not --codes-se.*--alpha-se 0/);
  });

  it('with --alpha-se 0 runs the ablation and says what was loaded and what is off', async () => {
    const lines: string[] = [];
    await runTraining(quick({ sampler: { name: 'dtl', codesCo, alphaSe: 0 } }), join(root, 'ablation'), { threads: 1, onInfo: (l) => lines.push(l) });
    expect(lines).toContain(`dtl co codes (${codesCo}): ${nItems} of ${nItems} items have a code, depth 2–3 (mean 2.50), alpha 0.1`);
    expect(lines).toContain('dtl se view off: no codes, alpha-se 0 (ablation)');
  });
});

describe('an empty test split is reported as absent, never as zeros (class 5)', () => {
  const emptyTest = join(root, 'empty-test');
  writeLightGcnDataset(emptyTest, synthetic.data);
  writeFileSync(join(emptyTest, 'test.txt'), '');

  it('dtl train: test is null in the summary and result.json, with a loud warning', async () => {
    const out = join(root, 'empty-test-run');
    const lines: string[] = [];
    const summary = await runTraining(quick({ data: emptyTest }), out, { threads: 1, onInfo: (l) => lines.push(l) });
    expect(summary.test).toBeNull();
    expect(summary.valid?.['recall@20']).toBeGreaterThan(0);
    expect(summary.history.every((h) => h.test === undefined)).toBe(true);
    expect(lines.some((l) => /WARNING: the test split is empty/.test(l))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).test).toBeNull();
  });

  it('dtl eval: an empty split is an error, not a table of zeros', async () => {
    const emb = join(root, 'empty-test-run', 'embeddings');
    const program = buildProgram();
    const error = await rejection(program.parseAsync(['node', 'dtl', 'eval', '--data', emptyTest, '--user-emb', join(emb, 'user.txt'), '--item-emb', join(emb, 'item.txt'), '--workers', '1']));
    expect(isDtlError(error, 'INVALID_DATA')).toBe(true);
    expect((error as Error).message).toMatch(/test split holds no interactions/);
  });
});
