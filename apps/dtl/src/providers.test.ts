import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatOpenAI } from '@langchain/openai';
import { codebookFromPaths, createRng, csrFromPairs, isDtlError } from '@dtl/core';
import type { JudgeRequest } from '@dtl/core';
import { describeFalseNegativeJudgeContract } from '@dtl/core/testing';
import { createLangChainJudge, openJudgeCache, runJudging } from '@dtl/llm-fn';
import { startFakeOpenAiServer } from '@dtl/llm-fn/testing';
import type { FakeCall, FakeOpenAiServer, FakeReply } from '@dtl/llm-fn/testing';
import { createJudge, parseLlmSpec } from './providers.ts';

const SECRET = 'sk-test-secret-0123456789abcdef';

/** The "right" answer the server gives: even candidate indices positive. */
function candidateCount(call: FakeCall): number {
  return Number(/Candidates \((\d+)\)/.exec(call.user)?.[1] ?? 0);
}
function goodJson(n: number): string {
  return JSON.stringify({ judgments: Array.from({ length: n }, (_, i) => ({ index: i, label: i % 2 === 0 ? 'positive' : 'negative' })) });
}
const expected = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'positive' : 'negative'));

let script: (call: FakeCall, n: number) => FakeReply = (call) => ({ kind: 'content', content: goodJson(candidateCount(call)) });
let server: FakeOpenAiServer;
const model = () => new ChatOpenAI({ model: 'judge-model', apiKey: SECRET, temperature: 0, maxRetries: 0, configuration: { baseURL: server.baseURL } });
const judgeFor = () => createLangChainJudge({ model: model(), modelName: `openai:judge-model@${server.baseURL}` });

beforeAll(async () => {
  server = await startFakeOpenAiServer((call, n) => script(call, n));
});
afterAll(async () => {
  await server.close();
});

describeFalseNegativeJudgeContract('LangChain judge over ChatOpenAI (OpenAI-compatible server)', () => judgeFor(), { secrets: [SECRET] });

function fixture(nUsers: number, k: number) {
  const rng = createRng(5);
  const nItems = 50;
  const path = (): number[] => Array.from({ length: 3 }, () => rng.int(3));
  const codes = { co: codebookFromPaths(Array.from({ length: nItems }, path)), se: codebookFromPaths(Array.from({ length: nItems }, path)) };
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < nUsers; u++) for (let t = 0; t < 3; t++) (rows.push(u), cols.push((u * 5 + t) % nItems));
  const items = Int32Array.from({ length: nUsers * k }, (_, s) => (s * 7 + 11) % nItems);
  return { codes, history: csrFromPairs(nUsers, nItems, rows, cols).csr, candidates: { k, users: Int32Array.from({ length: nUsers }, (_, u) => u), items } };
}

describe('LangChain judge through ChatOpenAI against a local OpenAI-compatible server', () => {
  const request: JudgeRequest = {
    history: [{ co: [0, 1], se: [2, 2] }],
    candidates: [
      { co: [0, 1, 1], se: [0] },
      { co: [2], se: [2, 2, 0] },
      { co: [1, 1], se: [1] },
    ],
  };

  it('sends system + user messages with the key only in the Authorization header, and parses the reply', async () => {
    script = (call) => ({ kind: 'content', content: goodJson(candidateCount(call)) });
    const before = server.calls.length;
    const result = await judgeFor().judge(request);
    expect(result.labels).toEqual(expected(3));
    const call = server.calls[before]!;
    expect(call.body.model).toBe('judge-model');
    expect(call.body.messages?.map((m) => m.role)).toEqual(['system', 'user']);
    expect(call.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(result.promptTokens).toBeGreaterThan(0);
    expect(result.responseTokens).toBe(7); // the server's usage block
  });

  it('repairs malformed replies', async () => {
    const good = goodJson(3);
    const variants = [
      '```json\n' + good + '\n```',
      "Here you go: {'judgments': [{'index': 0, 'label': 'positive'}, {'index': 1, 'label': 'negative'}, {'index': 2, 'label': 'positive'},]}",
      good.slice(0, good.lastIndexOf('{"index":2')) + '{"index":2,"la',
      'index: 0 label: positive\nindex: 1 label: negative\nindex: 2 label: positive',
      '{"judgments":[{"index":0,"label":"positive"},{"index":1,"label":"negative"},{"index":2,"label":"positive"},{"index":7,"label":"positive"}]}',
    ];
    for (const [v, content] of variants.entries()) {
      script = () => ({ kind: 'content', content });
      const result = await judgeFor().judge(request);
      expect(result.raw).toBe(content);
      expect(result.labels).toEqual(v === 2 ? ['positive', 'negative', null] : expected(3));
    }
  });

  it('turns 500s, timeouts and unparseable replies into retries, then a recorded failure that a rerun retries', async () => {
    const f = fixture(6, 4);
    const dir = mkdtempSync(join(tmpdir(), 'dtl-lc-'));
    const cachePath = join(dir, 'cache.sqlite');
    try {
      // Per prompt: 1st attempt 500, 2nd hangs (timeout), 3rd answers; user 3's prompt never parses.
      const attempts = new Map<string, number>();
      const user3 = (call: FakeCall) => call.user.includes('[0] co=' + Array.from(f.codes.co.paths.subarray(f.codes.co.offsets[f.candidates.items[12]!]!, f.codes.co.offsets[f.candidates.items[12]! + 1]!)).join('-') + ' se=');
      script = (call) => {
        const a = attempts.get(call.user) ?? 0;
        attempts.set(call.user, a + 1);
        if (a === 0) return { kind: 'error', status: 500 };
        if (a === 1) return { kind: 'hang' };
        if (user3(call)) return { kind: 'content', content: 'Once upon a time, a little bear went out to play.' };
        return { kind: 'content', content: goodJson(candidateCount(call)) };
      };
      const before = server.calls.length;
      let cache = openJudgeCache(cachePath);
      const out = await runJudging({ ...f, judge: judgeFor(), cache, concurrency: 2, timeoutMs: 300, retries: 2, backoffMs: 1 });
      cache.close();
      const distinct = new Set(server.calls.slice(before).map((c) => c.user));
      expect(distinct.size).toBe(6);
      expect(out.stats.calls).toBe(18);
      expect(server.calls.length - before).toBe(18);
      expect(out.stats.timeouts).toBe(6);
      expect(out.stats.retries).toBe(12);
      expect(out.stats.failed).toBe(1);
      expect(out.stats.unlabeled).toBe(4);
      for (const u of [0, 1, 2, 4, 5]) expect(Array.from(out.labels.subarray(u * 4, u * 4 + 4))).toEqual([1, 0, 1, 0]);
      expect(Array.from(out.labels.subarray(12, 16))).toEqual([-1, -1, -1, -1]);

      // Rerun with a healthy server: only the failed request is sent again.
      script = (call) => ({ kind: 'content', content: goodJson(candidateCount(call)) });
      const mid = server.calls.length;
      cache = openJudgeCache(cachePath);
      const rerun = await runJudging({ ...f, judge: judgeFor(), cache, concurrency: 2, timeoutMs: 300, backoffMs: 1 });
      cache.close();
      expect(server.calls.length - mid).toBe(1);
      expect(rerun.stats.cached).toBe(5);
      expect(rerun.stats.failed).toBe(0);
      expect(Array.from(rerun.labels.subarray(12, 16))).toEqual([1, 0, 1, 0]);
      expect(readFileSync(cachePath).includes(SECRET)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('per-user prompting makes 20× fewer calls than per-pair for 20 candidates; a cached rerun makes none', async () => {
    script = (call) => ({ kind: 'content', content: goodJson(candidateCount(call)) });
    const f = fixture(3, 20);
    const count = async (granularity: 'user' | 'pair', cache?: ReturnType<typeof openJudgeCache>) => {
      const before = server.calls.length;
      const out = await runJudging({ ...f, judge: judgeFor(), granularity, concurrency: 4, ...(cache ? { cache } : {}) });
      return { sent: server.calls.length - before, out };
    };
    const perUser = await count('user');
    const perPair = await count('pair');
    expect(perUser.sent).toBe(3);
    expect(perPair.sent).toBe(60);
    expect(perPair.sent / perUser.sent).toBe(20);
    const cache = openJudgeCache(':memory:');
    await count('user', cache);
    const again = await count('user', cache);
    cache.close();
    expect(again.sent).toBe(0);
    expect(again.out.stats.cached).toBe(3);
  });

  it('native structured output (jsonMode) also yields validated labels', async () => {
    script = (call) => ({ kind: 'content', content: goodJson(candidateCount(call)) });
    const judge = createLangChainJudge({ model: model(), modelName: 'openai:judge-model', output: 'native' });
    const before = server.calls.length;
    const result = await judge.judge(request);
    expect(result.labels).toEqual(expected(3));
    expect((server.calls[before]!.body.response_format as { type?: string })?.type).toBe('json_object');
  });
});

describe('providers', () => {
  it('parses --llm specs', () => {
    expect(parseLlmSpec('rule')).toEqual({ kind: 'rule' });
    expect(parseLlmSpec('openai:Llama-3.1-8B@http://127.0.0.1:8000/v1')).toEqual({ kind: 'openai', model: 'Llama-3.1-8B', baseURL: 'http://127.0.0.1:8000/v1' });
    expect(parseLlmSpec('openai:gpt-4o-mini')).toEqual({ kind: 'openai', model: 'gpt-4o-mini', baseURL: undefined });
    expect(parseLlmSpec('ollama:llama3.1:8b')).toEqual({ kind: 'ollama', model: 'llama3.1:8b', baseURL: undefined });
    expect(parseLlmSpec('gguf:/m/x.gguf')).toEqual({ kind: 'gguf', path: '/m/x.gguf' });
    expect(() => parseLlmSpec('claude')).toThrow(/--llm/);
  });

  it('builds an OpenAI judge whose id names model and endpoint but not the key', async () => {
    const app = await createJudge(parseLlmSpec(`openai:m1@${server.baseURL}`), { env: { OPENAI_API_KEY: SECRET } });
    expect(app.judge.id).toBe(`langchain:openai:m1@${server.baseURL}:p1`);
    expect(app.judge.id).not.toContain(SECRET);
    const ollama = await createJudge(parseLlmSpec('ollama:llama3.1:8b'), { env: {} });
    expect(ollama.judge.id).toContain('ollama:llama3.1:8b@');
    const missing = await createJudge(parseLlmSpec('gguf:/nonexistent/x.gguf'), { env: {} }).catch((e: unknown) => e);
    expect(isDtlError(missing, 'NOT_FOUND')).toBe(true);
  });
});
