import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parsePipelineConfig } from './config.ts';
import { runPipeline } from './run-pipeline.ts';

// Issue 17, item 2: a fresh `dtl run` loads its dataset once and hands it to every stage; the trees'
// codes go to the judge and the DTL sampler in memory; the pretrained embeddings are read once.

const { calls } = vi.hoisted(() => ({ calls: { loadDataset: 0, parseCodeText: 0, readMatrixText: 0 } }));
vi.mock('@dtl/data', async (importOriginal) => {
  const lib = await importOriginal<typeof import('@dtl/data')>();
  return {
    ...lib,
    loadDataset: (...args: Parameters<typeof lib.loadDataset>) => {
      calls.loadDataset++;
      return lib.loadDataset(...args);
    },
    readMatrixText: (...args: Parameters<typeof lib.readMatrixText>) => {
      calls.readMatrixText++;
      return lib.readMatrixText(...args);
    },
  };
});
vi.mock('@dtl/encoding', async (importOriginal) => {
  const lib = await importOriginal<typeof import('@dtl/encoding')>();
  return {
    ...lib,
    parseCodeText: (...args: Parameters<typeof lib.parseCodeText>) => {
      calls.parseCodeText++;
      return lib.parseCodeText(...args);
    },
  };
});

const root = mkdtempSync(join(tmpdir(), 'dtl-loads-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  calls.loadDataset = 0;
  calls.parseCodeText = 0;
  calls.readMatrixText = 0;
});

const small = {
  synthetic: { preset: 'tiny', seed: 3 },
  threads: 1,
  pretrain: { model: 'mf', epochs: 4, lr: 0.01, dim: 8 },
  trees: { leafSize: 10 },
  train: { model: 'mf', epochs: 4, lr: 0.01, dim: 8 },
};

describe('dtl run reads each input once', () => {
  it('a fresh run loads the dataset once, reads no code file and the pretrained embeddings once; a rerun loads them once too', async () => {
    const runDir = join(root, 'run');
    const config = parsePipelineConfig(small);
    const first = await runPipeline(config, runDir);
    expect(Object.keys(first.stages)).toEqual(['data', 'pretrain', 'trees', 'judge', 'train', 'baseline']);
    expect(calls).toEqual({ loadDataset: 1, parseCodeText: 0, readMatrixText: 2 });

    for (const k of Object.keys(calls) as Array<keyof typeof calls>) calls[k] = 0;
    const second = await runPipeline(config, runDir);
    expect(Object.values(second.stages).every((s) => s.skipped)).toBe(true);
    // Skipped stages load what they wrote: the dataset once, each code file once; nothing needs the embeddings.
    expect(calls).toEqual({ loadDataset: 1, parseCodeText: 2, readMatrixText: 0 });
    expect(second.test).toEqual(first.test);
  });
});
