import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDtlError } from '@dtl/core';
import { startFakeOpenAiServer } from '@dtl/llm-fn/testing';
import type { FakeOpenAiServer } from '@dtl/llm-fn/testing';
import { parsePipelineConfig } from '../pipeline/config.ts';
import { runPipeline } from '../pipeline/run-pipeline.ts';

const ENGINE = resolve(import.meta.dirname, '../../../../packages/llm-fn/src/testing/fake-batch-engine.mjs');
let server: FakeOpenAiServer;
let dir: string;
beforeAll(async () => {
  server = await startFakeOpenAiServer(() => ({ kind: 'error', status: 500 }));
  dir = mkdtempSync(join(tmpdir(), 'dtl-batch-run-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dtl run with judge.batch (issue 20)', () => {
  it('judge.batch needs an openai: judge (a config error, before any work)', () => {
    expect(() => parsePipelineConfig({ judge: { llm: 'rule', batch: { out: 'x.jsonl' } } })).toThrow(/judge\.batch needs judge\.llm: openai:/);
  });

  it('pauses at the judge stage naming the request file, and continues when the results exist', async () => {
    const requests = join(dir, 'requests.jsonl');
    const results = join(dir, 'results.jsonl');
    const config = parsePipelineConfig({
      synthetic: { preset: 'tiny', seed: 3 },
      threads: 1,
      pretrain: { model: 'mf', epochs: 3, lr: 0.01, dim: 8 },
      trees: { leafSize: 10 },
      judge: { llm: `openai:m@${server.baseURL}`, users: 12, candidates: 5, batch: { out: requests, in: results } },
      train: { model: 'mf', epochs: 2, lr: 0.01, dim: 8 },
    });
    const runDir = join(dir, 'run');
    const paused = await runPipeline(config, runDir).catch((e: unknown) => e);
    expect(isDtlError(paused, 'CANCELLED')).toBe(true);
    expect((paused as Error).message).toContain(`wrote 12 batch requests (0 already answered) to ${requests}`);
    expect((paused as Error).message).toMatch(/set judge\.batch\.in .* does not exist yet/);
    expect(readFileSync(requests, 'utf8').trim().split('\n')).toHaveLength(12);

    await new Promise((ok) => spawn(process.execPath, [ENGINE, '-i', requests, '-o', results]).on('close', ok));
    expect(existsSync(results)).toBe(true);
    const done = await runPipeline(config, runDir);
    expect(done.stages['pretrain']!.skipped).toBe(true);
    expect(done.stages['trees']!.skipped).toBe(true);
    expect(done.fni?.positives).toBe(2 * 12);
    expect(done.fni?.missing).toBe(0);
    expect(server.calls).toHaveLength(0);
  }, 120_000);
});
