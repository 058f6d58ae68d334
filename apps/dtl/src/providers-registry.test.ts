import { describe, expect, it } from 'vitest';
import { JUDGES, createJudge, judgeEndpoint, parseLlmSpec } from './providers.ts';

// Issue 17, item 1: judges have a registry (`--llm` kind → row), like samplers and models.

describe('judge registry', () => {
  it('has one row per --llm kind, and the endpoint and factory go through it', async () => {
    const specs = ['rule', 'openai:m@http://127.0.0.1:9/v1', 'ollama:m', 'gguf:/nowhere/model.gguf'].map(parseLlmSpec);
    expect(Object.keys(JUDGES).sort()).toEqual(specs.map((s) => s.kind).sort());
    for (const spec of specs) {
      const row = JUDGES[spec.kind];
      expect(judgeEndpoint(spec)).toBe((row.endpoint as (s: typeof spec) => string)(spec));
      expect(judgeEndpoint(spec).includes('no network')).toBe(!row.needs.network);
    }
    const { judge, dispose } = await createJudge({ kind: 'rule' }, { env: {} });
    expect(judge).toBeDefined();
    await dispose();
  });
});
