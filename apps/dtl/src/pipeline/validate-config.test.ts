import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDtlError } from '@dtl/core';
import { parsePipelineConfig } from './config.ts';
import { runPipeline } from './run-pipeline.ts';
import { validatePipelineSettings } from './validate-config.ts';

// Issue 16, class 7: `dtl run` validates every stage's settings before any work starts.

const root = mkdtempSync(join(tmpdir(), 'dtl-validate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const small = { synthetic: { preset: 'tiny', seed: 3 }, threads: 1, pretrain: { model: 'mf', epochs: 3, dim: 8 }, train: { model: 'mf', epochs: 3, dim: 8 } };

async function failure(config: unknown, runDir: string): Promise<{ error: unknown; ms: number }> {
  const t0 = performance.now();
  try {
    await runPipeline(parsePipelineConfig(config), runDir);
  } catch (error) {
    return { error, ms: performance.now() - t0 };
  }
  throw new Error('expected the pipeline to fail');
}

describe('dtl run settings are validated before any work', () => {
  it('a bad judge.llm fails in < 2 s and no pretrain checkpoint appears', async () => {
    const runDir = join(root, 'bad-llm');
    const { error, ms } = await failure({ ...small, judge: { llm: 'chatgpt:gpt-4o' } }, runDir);
    expect(ms).toBeLessThan(2000);
    expect(isDtlError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(/judge\.llm: .*chatgpt:gpt-4o/);
    expect(existsSync(join(runDir, 'stages', 'pretrain', 'checkpoint.bin'))).toBe(false);
    expect(existsSync(join(runDir, 'stages', 'pretrain'))).toBe(false);
  });

  it('reports every bad stage setting at once: trees.k 1, one code file, pretrain with the dtl sampler, a missing GGUF file', () => {
    const config = parsePipelineConfig({
      ...small,
      judge: { llm: `gguf:${join(root, 'missing.gguf')}` },
      trees: { k: 1, codesCo: join(root, 'co.txt') },
      pretrain: { sampler: 'dtl' },
    });
    try {
      validatePipelineSettings(config, 'run.yaml');
      expect.unreachable();
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toMatch(/^run\.yaml: invalid settings, nothing was run/);
      expect(msg).toMatch(/judge\.llm: GGUF model file not found/);
      expect(msg).toMatch(/trees: give both codesCo and codesSe/);
      expect(msg).toMatch(/pretrain\.sampler: the pretrain stage has no item codes/);
    }
    // The tree builders' own checks (k ≥ 2) when the trees are built.
    expect(() => validatePipelineSettings(parsePipelineConfig({ ...small, trees: { k: 1 } }))).toThrow(/trees \(co tree\): .*k = 1 must be an integer ≥ 2/);
    expect(() => validatePipelineSettings(parsePipelineConfig({ ...small, trees: { builder: 'louvain', k: 1 } }))).toThrow(/k = 1/);
  });

  it('settings that need the data are checked right after the data stage, before pretraining', async () => {
    const runDir = join(root, 'too-many-users');
    const { error } = await failure({ ...small, judge: { users: 10_000 } }, runDir);
    expect((error as Error).message).toMatch(/judge\.users: 10000 exceeds the dataset's \d+ users/);
    expect(existsSync(join(runDir, 'stages', 'data', 'stage.json'))).toBe(true);
    expect(existsSync(join(runDir, 'stages', 'pretrain'))).toBe(false);
  });

  it('a valid config passes', () => {
    expect(() => validatePipelineSettings(parsePipelineConfig(small))).not.toThrow();
    expect(() => validatePipelineSettings(parsePipelineConfig({ ...small, train: { sampler: 'dens' }, pretrain: { sampler: 'mixgcf' } }))).not.toThrow();
  });
});
