import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng, isDtlError } from '@dtl/core';
import { describeFalseNegativeJudgeContract } from '@dtl/core/testing';
import { createGgufJudge } from './gguf-judge.ts';
import type { GgufJudge } from './gguf-judge.ts';
import { writeTinyLlamaGguf } from './testing/gguf-writer.ts';

// A random-weights LLaMA the test writes itself: llama.cpp loads it, the grammar makes its gibberish valid JSON.
const dir = mkdtempSync(join(tmpdir(), 'dtl-gguf-'));
const modelPath = join(dir, 'tiny-random.gguf');
const bytes = writeTinyLlamaGguf(modelPath, createRng(11));
let judgePromise: Promise<GgufJudge> | undefined;
const getJudge = (): Promise<GgufJudge> => (judgePromise ??= createGgufJudge({ modelPath, contextSize: 4096 }));

afterAll(async () => {
  if (judgePromise) await (await judgePromise).dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('GGUF judge on a generated tiny model', () => {
  it('writes a GGUF of a few hundred KB', () => {
    expect(statSync(modelPath).size).toBe(bytes);
    expect(bytes).toBeGreaterThan(50_000);
    expect(bytes).toBeLessThan(1_000_000);
  });

  it('produces grammar-valid structured output parsed into one label per candidate', async () => {
    const judge = await getJudge();
    expect(judge.id).toMatch(/^gguf:tiny-random\.gguf#\d+:p1$/);
    const request = {
      history: [
        { co: [0, 1, 2], se: [1, 0] },
        { co: [0, 1, 3], se: [1, 2, 2] },
      ],
      candidates: [
        { co: [0, 1, 2, 0], se: [3, 3] },
        { co: [2, 2], se: [1, 0, 1] },
        { co: [3], se: [0] },
      ],
    };
    const result = await judge.judge(request);
    const parsed = JSON.parse(result.raw) as { judgments: Array<{ index: number; label: string }> };
    expect(parsed.judgments.map((j) => j.index)).toEqual([0, 1, 2]);
    for (const j of parsed.judgments) expect(['positive', 'negative']).toContain(j.label);
    expect(result.labels).toEqual(parsed.judgments.map((j) => j.label));
    expect(result.promptTokens).toBeGreaterThan(50);
    expect(result.responseTokens).toBeGreaterThan(5);
    // temperature 0: the same request gives the same answer.
    expect((await judge.judge(request)).raw).toBe(result.raw);
  });

  it('truncates history to fit the context', async () => {
    const judge = await getJudge();
    const rng = createRng(5);
    const path = () => Array.from({ length: 6 }, () => rng.int(4));
    const history = Array.from({ length: 200 }, () => ({ co: path(), se: path() }));
    const result = await judge.judge({ history, candidates: [{ co: path(), se: path() }] });
    expect(result.promptTokens).toBeLessThanOrEqual(4096);
    expect(result.labels).toHaveLength(1);
    expect(result.labels[0]).not.toBeNull();
  });

  it('reports a missing model as NOT_FOUND', async () => {
    const error = await createGgufJudge({ modelPath: join(dir, 'missing.gguf') }).catch((e: unknown) => e);
    expect(isDtlError(error, 'NOT_FOUND')).toBe(true);
  });
});

describeFalseNegativeJudgeContract('GGUF judge (generated tiny model)', getJudge);
