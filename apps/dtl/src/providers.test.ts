import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatOpenAI } from '@langchain/openai';
import { codebookFromPaths, createRng, csrFromPairs, isDtlError } from '@dtl/core';
import type { FalseNegativeJudge, JudgeRequest } from '@dtl/core';
import { describeFalseNegativeJudgeContract } from '@dtl/core/testing';
import { createCappedFetch, createLangChainJudge, judgeCallKey as judgeCallKeyOf, openJudgeCache, runJudging } from '@dtl/llm-fn';
import { startFakeOpenAiServer } from '@dtl/llm-fn/testing';
import type { FakeCall, FakeOpenAiServer, FakeReply } from '@dtl/llm-fn/testing';
import { createJudge, judgeEndpoint, judgeSecrets, loadProvider, parseLlmSpec } from './providers.ts';

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

describe('--llm spec: exactly one documented form (issue 16 class 1)', () => {
  it('accepts the documented forms', () => {
    expect(parseLlmSpec('openai:meta-llama/Llama-3.1-8B-Instruct@https://gpu.example.org:8443/v1/')).toEqual({
      kind: 'openai',
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      baseURL: 'https://gpu.example.org:8443/v1',
    });
    expect(parseLlmSpec('ollama:qwen2.5:7b@http://[::1]:11434')).toEqual({ kind: 'ollama', model: 'qwen2.5:7b', baseURL: 'http://[::1]:11434' });
    expect(parseLlmSpec('openai:m@http://localhost:8000/v1')).toEqual({ kind: 'openai', model: 'm', baseURL: 'http://localhost:8000/v1' });
  });

  it.each([
    ['openai:llama@127.0.0.1:8000/v1', /http:\/\/ or https:\/\//], // the audit's case: no scheme
    ['openai:llama@localhost:8000/v1', /http:\/\/ or https:\/\//],
    ['openai:llama@ftp://host/v1', /http:\/\/ or https:\/\//],
    ['openai:llama@http://', /not a valid URL|no host/],
    ['openai:llama@', /empty base URL/],
    ['openai:@http://127.0.0.1:8000/v1', /empty model/],
    ['openai:', /empty model/],
    ['openai:llama@http://user:pass@127.0.0.1:8000/v1', /user:password/],
    ['openai:llama@http://token@evil.example/v1', /user:password/],
    ['openai:llama@http://127.0.0.1:8000/v1 extra', /whitespace/],
    ['openai:llama@http://127.0.0.1:8000/v1?key=x', /query or fragment/],
    ['openai:llama@http://127.0.0.1:8000/v1#x', /query or fragment/],
    ['openai:llama@http://127.0.0.1:99999/v1', /not a valid URL/],
    ['openai:llama@http://evil.example\\v1', /backslash/],
    ['openai:my model@http://127.0.0.1:8000/v1', /model name/],
    ['openai:m@https://аpple.com/v1', /printable ASCII/], // Cyrillic "а": a homograph host
    ['openai:m@http://127.1:8000/v1', /is read as "127\.0\.0\.1:8000"/],
    ['openai:m@http://%6cocalhost:8000/v1', /is read as/],
    [' openai:llama', /unknown kind|not one of/],
    ['openai:llama ', /model name/],
    ['openai:llama@http://a@http://b', /user:password/],
    ['OpenAI:llama', /unknown kind "OpenAI"/],
    ['claude:opus', /unknown kind "claude"/],
    ['rule ', /unknown kind|not one of/],
    ['gguf:', /empty GGUF path/],
    ['gguf: /m/x.gguf', /whitespace/],
    ['ollama:llama3\nmalicious', /control characters/],
  ])('rejects %j before any request', (spec, why) => {
    let error: unknown;
    try {
      parseLlmSpec(spec);
    } catch (e) {
      error = e;
    }
    expect(isDtlError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).toContain('expected rule | openai:<model>');
  });

  it('fuzz: a mutated spec is rejected, or the host printed is the host the client calls', () => {
    const rng = createRng(16);
    const seeds = ['openai:m@http://127.0.0.1:8000/v1', 'ollama:llama3.1:8b@http://localhost:11434', 'openai:org/model-1.5@https://api.example.org/v1', 'gguf:/m/x.gguf', 'rule'];
    const alphabet = ['@', ':', '/', '\\', ' ', '\t', '#', '?', '%40', '.', 'a', '1', '[', ']', 'http://', 'user:pw@', '\n', '\u0000', '\u00a0', '\u200b', 'é', '..', '//'];
    let accepted = 0;
    for (let t = 0; t < 4000; t++) {
      let s = seeds[rng.int(seeds.length)]!;
      for (let m = 1 + rng.int(3); m > 0; m--) {
        const at = rng.int(s.length + 1);
        const op = rng.int(3);
        const piece = alphabet[rng.int(alphabet.length)]!;
        s = op === 0 ? s.slice(0, at) + piece + s.slice(at) : op === 1 ? s.slice(0, at) + s.slice(at + 1) : s.slice(0, at) + piece + s.slice(at + piece.length);
      }
      let spec;
      try {
        spec = parseLlmSpec(s);
      } catch (error) {
        expect(isDtlError(error, 'INVALID_ARGUMENT'), `${JSON.stringify(s)}: ${String(error)}`).toBe(true);
        continue;
      }
      accepted++;
      if ((spec.kind === 'openai' || spec.kind === 'ollama') && spec.baseURL) {
        const printed = new URL(spec.baseURL).host;
        expect(new URL(`${spec.baseURL}/chat/completions`).host, s).toBe(printed);
        expect(s.includes(`//${printed}`) || s.toLowerCase().includes(`//${printed}`), s).toBe(true);
        expect(spec.baseURL, s).not.toMatch(/[\s@?#\\]/);
        expect(judgeEndpoint(spec)).toContain(`host ${printed}`);
      }
      if (spec.kind === 'openai' || spec.kind === 'ollama') expect(spec.model, s).toMatch(/^[A-Za-z0-9._\-/:+]+$/);
    }
    expect(accepted).toBeGreaterThan(50);
  });

  it('names the host a judge talks to', () => {
    expect(judgeEndpoint(parseLlmSpec('openai:m@http://127.0.0.1:8000/v1'))).toContain('host 127.0.0.1:8000');
    expect(judgeEndpoint(parseLlmSpec('openai:gpt-4o-mini'))).toContain('host api.openai.com');
    expect(judgeEndpoint(parseLlmSpec('ollama:x'))).toContain('host 127.0.0.1:11434');
    expect(judgeEndpoint(parseLlmSpec('rule'))).toMatch(/no network/);
  });
});

describe('secrets are redacted by value, not by pattern (issue 16 class 2)', () => {
  const KEY = 'lm-studio-7f3a9c2e5b1d4e6f'; // no sk- prefix: pattern redaction misses it
  it('a server echoing the key in a 401 body and in a 200 body leaves no trace of it in the cache', async () => {
    const f = fixture(4, 3);
    const dir = mkdtempSync(join(tmpdir(), 'dtl-redact-'));
    const cachePath = join(dir, 'cache.sqlite');
    try {
      script = (call, n) => {
        const key = String(call.headers.authorization ?? '').replace(/^Bearer /, '');
        if (n % 2 === 0) return { kind: 'error', status: 401, message: `Incorrect API key provided: ${key}. You can find your API key at ...` };
        return { kind: 'content', content: `Your key ${key} works. ${goodJson(candidateCount(call))}` };
      };
      const app = await createJudge(parseLlmSpec(`openai:m@${server.baseURL}`), { env: { OPENAI_API_KEY: KEY } });
      expect(judgeSecrets({ OPENAI_API_KEY: KEY })).toEqual([KEY]);
      const cache = openJudgeCache(cachePath, { redact: judgeSecrets({ OPENAI_API_KEY: KEY }) });
      const out = await runJudging({ ...f, judge: app.judge, cache, retries: 0, concurrency: 1, redact: judgeSecrets({ OPENAI_API_KEY: KEY }) });
      cache.close();
      expect(out.stats.failed).toBe(2);
      expect(out.stats.requests - out.stats.failed).toBe(2);
      for (const file of [cachePath, `${cachePath}-wal`]) if (existsSync(file)) expect(readFileSync(file).includes(KEY)).toBe(false);
      // The rows are there, with the key replaced.
      const check = openJudgeCache(cachePath);
      const rows = [0, 1, 2, 3].map((r) => check.get(judgeKeyOfRow(app.judge, f, r))!);
      check.close();
      expect(rows.some((r) => r.status === 'failed' && /401/.test(r.error ?? '') && r.error!.includes('[redacted]'))).toBe(true);
      expect(rows.some((r) => r.status === 'ok' && r.raw.includes('Your key [redacted] works'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reply size cap (issue 16 class 9)', () => {
  it('a reply over maxReplyBytes is a failed call, stored as a 1 KiB prefix only and not retried', async () => {
    const f = fixture(3, 2);
    script = (call, n) => ({ kind: 'content', content: n % 3 === 0 ? goodJson(2) + ' '.repeat(40_000) : goodJson(candidateCount(call)) });
    const cache = openJudgeCache(':memory:');
    const before = server.calls.length;
    const out = await runJudging({ ...f, judge: judgeFor(), cache, concurrency: 1, retries: 2, backoffMs: 1, maxReplyBytes: 16 * 1024 });
    expect(server.calls.length - before).toBe(3);
    expect(out.stats.failed).toBe(1);
    expect(out.stats.tooLarge).toBe(1);
    const judge = judgeFor();
    const failedRows = [0, 1, 2]
      .map((r) => cache.get(judgeKeyOfRow(judge, f, r)))
      .filter((c) => c?.status === 'failed');
    expect(failedRows).toHaveLength(1);
    expect(failedRows[0]!.error).toMatch(/REPLY_TOO_LARGE: reply of \d+ bytes exceeds the cap of 16384/);
    expect(failedRows[0]!.raw.length).toBeLessThanOrEqual(1024);
    cache.close();
  });

  it('the HTTP client refuses a body over its cap instead of buffering it whole', async () => {
    script = () => ({ kind: 'content', content: 'x'.repeat(3 * 1024 * 1024) });
    const capped = createCappedFetch(256 * 1024);
    const error = await capped(`${server.baseURL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [] }) }).catch((e: unknown) => e);
    expect(isDtlError(error, 'PROVIDER_FAILURE')).toBe(true);
    expect((error as Error).message).toMatch(/REPLY_TOO_LARGE/);
    script = () => ({ kind: 'content', content: 'small' });
    const ok = await capped(`${server.baseURL}/chat/completions`, { method: 'POST', body: '{}' });
    expect(((await ok.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe('small');
  });
});

function judgeKeyOfRow(judge: FalseNegativeJudge, f: ReturnType<typeof fixture>, r: number): string {
  // Mirrors runJudging's request for a per-user row.
  const codesOf = (item: number) => ({
    co: Array.from(f.codes.co.paths.subarray(f.codes.co.offsets[item]!, f.codes.co.offsets[item + 1]!)),
    se: Array.from(f.codes.se.paths.subarray(f.codes.se.offsets[item]!, f.codes.se.offsets[item + 1]!)),
  });
  const hist = Array.from(f.history.indices.subarray(f.history.indptr[r]!, f.history.indptr[r + 1]!), codesOf);
  const cands = Array.from(f.candidates.items.subarray(r * f.candidates.k, (r + 1) * f.candidates.k), codesOf);
  return judgeCallKeyOf(judge, { history: hist, candidates: cands });
}

describe('optional provider packages (issue 15)', () => {
  it('a missing provider package is an UNSUPPORTED error naming it', async () => {
    const error = await loadProvider('@langchain/ollama', () => Promise.reject(new Error("Cannot find package '@langchain/ollama'")), 'the ollama: judge').catch((e: unknown) => e);
    expect(isDtlError(error, 'UNSUPPORTED')).toBe(true);
    expect((error as Error).message).toMatch(/the ollama: judge needs the optional package @langchain\/ollama; install it/);
  });
});
