import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codebookFromPaths, createRng, csrFromPairs, isDtlError } from '@dtl/core';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { importJudgeBatch, writeJudgeBatch } from './judge-batch.ts';
import { createMemoryJudgeCache } from './judge-cache.ts';
import { createLangChainJudge } from './langchain-judge.ts';
import { runJudging } from './run-judging.ts';
import { openJudgeCache } from './sqlite-judge-cache.ts';

const ENGINE = join(import.meta.dirname, 'testing', 'fake-batch-engine.mjs');
const nUsers = 6;
const nItems = 40;
const K = 5;

function fixture() {
  const rng = createRng(9);
  const path = (): number[] => Array.from({ length: 3 }, () => rng.int(3));
  const codes = { co: codebookFromPaths(Array.from({ length: nItems }, path)), se: codebookFromPaths(Array.from({ length: nItems }, path)) };
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < nUsers; u++) for (let t = 0; t < 4; t++) (rows.push(u), cols.push((u * 7 + t * 3) % nItems));
  const items = Int32Array.from({ length: nUsers * K }, (_, s) => (s * 3 + 1) % nItems);
  return { codes, history: csrFromPairs(nUsers, nItems, rows, cols).csr, candidates: { k: K, users: Int32Array.from({ length: nUsers }, (_, u) => u), items } };
}

/** The same rule as the fake engine: the first two candidates positive. */
const replyFor = (user: string): string => {
  const n = Number(/Candidates \((\d+)\)/.exec(user)?.[1] ?? 0);
  return JSON.stringify({ judgments: Array.from({ length: n }, (_, j) => ({ index: j, label: j < 2 ? 'positive' : 'negative' })) });
};
/** A minimal chat model: enough for a prompt-mode LangChain judge. */
const model = { invoke: async (messages: Array<[string, string]>) => ({ content: replyFor(messages[1]![1]) }) } as unknown as BaseChatModel;
const judge = () => createLangChainJudge({ model, modelName: 'openai:m@http://engine/v1' });

let dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'dtl-batch-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const engine = (input: string, output: string, ...flags: string[]): void => {
  execFileSync(process.execPath, [ENGINE, '-i', input, '-o', output, ...flags]);
};

describe('batch files', () => {
  it('write → engine → import gives the online labels; a killed import resumes losing and repeating nothing', async () => {
    const f = fixture();
    const online = await runJudging({ ...f, judge: judge(), cache: createMemoryJudgeCache(), concurrency: 1 });

    const dir = tempDir();
    const cache = openJudgeCache(join(dir, 'cache.sqlite'));
    const requests = join(dir, 'requests.jsonl');
    const w = writeJudgeBatch(requests, { ...f, judge: judge(), model: 'm', cache });
    expect(w).toMatchObject({ requests: nUsers, written: nUsers, cached: 0 });
    const lines = readFileSync(requests, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(['body', 'custom_id', 'method', 'url']);
      expect(line['custom_id']).toMatch(/^[0-9a-f]{64}$/);
      expect(line['method']).toBe('POST');
      expect(line['url']).toBe('/v1/chat/completions');
      expect(line['body'].model).toBe('m');
      expect(line['body'].temperature).toBe(0);
      expect(line['body'].messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user']);
      expect(line['body'].response_format.type).toBe('json_schema');
      expect(line['body'].response_format.json_schema.strict).toBe(true);
    }

    const results = join(dir, 'results.jsonl');
    engine(requests, results);
    // The import was killed after 3 results had been stored (each in its own transaction).
    const partial = join(dir, 'partial.jsonl');
    writeFileSync(partial, readFileSync(results, 'utf8').split('\n').slice(0, 3).join('\n') + '\n');
    const first = await importJudgeBatch(partial, { ...f, judge: judge(), cache });
    expect(first).toMatchObject({ lines: 3, stored: 3, failed: 0, alreadyCached: 0 });
    const resumed = await importJudgeBatch(results, { ...f, judge: judge(), cache });
    expect(resumed).toMatchObject({ lines: nUsers, stored: nUsers - 3, alreadyCached: 3, failed: 0, malformed: 0, unknown: 0, duplicate: 0 });

    const offline = await runJudging({ ...f, judge: judge(), cache, cacheOnly: true });
    expect(offline.stats.calls).toBe(0);
    expect(offline.stats.missing).toBe(0);
    expect(Array.from(offline.labels)).toEqual(Array.from(online.labels));
    expect(writeJudgeBatch(join(dir, 'again.jsonl'), { ...f, judge: judge(), model: 'm', cache }).written).toBe(0);
    cache.close();
  });

  it('unknown / duplicate custom_ids, truncated, garbage and error lines are counted, never fatal; a new batch holds only what is missing', async () => {
    const f = fixture();
    const dir = tempDir();
    const cache = createMemoryJudgeCache();
    const requests = join(dir, 'requests.jsonl');
    writeJudgeBatch(requests, { ...f, judge: judge(), model: 'm', cache });
    const results = join(dir, 'results.jsonl');
    engine(requests, results, '--hostile');
    const s = await importJudgeBatch(results, { ...f, judge: judge(), cache });
    expect(s).toMatchObject({ lines: nUsers + 3, stored: nUsers - 2, failed: 1, malformed: 2, unknown: 1, duplicate: 1, alreadyCached: 0 });
    expect(s.problems.join('\n')).toMatch(/results\.jsonl:3: malformed or truncated JSON/);
    expect(s.problems.join('\n')).toMatch(/unknown custom_id/);
    expect(s.problems.join('\n')).toMatch(/duplicate custom_id/);
    expect(s.problems.join('\n')).toMatch(/error line: server_error engine crashed/);
    const out = await runJudging({ ...f, judge: judge(), cache, cacheOnly: true });
    expect(out.stats.missing).toBe(2);
    expect(out.stats.unlabeled).toBe(2 * K);
    expect(writeJudgeBatch(join(dir, 'rest.jsonl'), { ...f, judge: judge(), model: 'm', cache }).written).toBe(2);
  });

  it('fuzz: mutated results files never throw; every line is accounted for exactly once', async () => {
    const f = fixture();
    const dir = tempDir();
    const requests = join(dir, 'requests.jsonl');
    writeJudgeBatch(requests, { ...f, judge: judge(), model: 'm', cache: createMemoryJudgeCache() });
    const results = join(dir, 'results.jsonl');
    engine(requests, results);
    const clean = readFileSync(results, 'utf8').trim().split('\n');
    const rng = createRng(20);
    const junk = ['', '{', '}', '"', '\\', 'null', '[]', '\u0000', 'é', '{"custom_id":1}', '"error":{}', '"status_code":500', ',', 'NaN'];
    for (let t = 0; t < 60; t++) {
      const lines = clean.map((line) => {
        if (rng.next() < 0.5) return line;
        const at = rng.int(line.length + 1);
        const op = rng.int(4);
        if (op === 0) return line.slice(0, at); // truncated
        if (op === 1) return line.slice(0, at) + junk[rng.int(junk.length)] + line.slice(at);
        if (op === 2) return line.slice(0, at) + line.slice(at + 1 + rng.int(20));
        return line.replace(/"content":"/, `"content":"${junk[rng.int(junk.length)]}`);
      });
      if (rng.next() < 0.3) lines.push(lines[rng.int(lines.length)]!);
      const file = join(dir, `fuzz-${t}.jsonl`);
      writeFileSync(file, lines.join(rng.next() < 0.2 ? '\r\n' : '\n'));
      const cache = createMemoryJudgeCache();
      const s = await importJudgeBatch(file, { ...f, judge: judge(), cache, maxReplyBytes: 2048 });
      expect(s.stored + s.failed + s.malformed + s.unknown + s.duplicate + s.alreadyCached).toBe(s.lines);
      expect(s.lines).toBe(lines.filter((l) => l.trim() !== '').length);
      const out = await runJudging({ ...f, judge: judge(), cache, cacheOnly: true });
      expect(out.stats.requests - out.stats.cached).toBe(out.stats.missing);
      expect(cache.counts().ok).toBe(s.stored);
    }
  });

  it('an import killed with SIGKILL midway resumes: nothing lost, nothing stored twice', async () => {
    const dir = tempDir();
    const here = resolve(import.meta.dirname);
    // The child builds a bigger candidate set, writes requests + results, and imports them slowly
    // (1 ms per stored row) into a SQLite cache, printing each row count.
    const child = join(dir, 'child.mts');
    writeFileSync(
      child,
      `
      import { writeFileSync, readFileSync } from 'node:fs';
      import { codebookFromPaths, createRng, csrFromPairs } from '${here}/../../core/src/index.ts';
      import { createLangChainJudge } from '${here}/langchain-judge.ts';
      import { writeJudgeBatch, importJudgeBatch } from '${here}/judge-batch.ts';
      import { openJudgeCache } from '${here}/sqlite-judge-cache.ts';
      const [mode, dir] = process.argv.slice(2);
      const nUsers = 600, nItems = 2000, K = 3;
      const rng = createRng(4);
      const path = () => Array.from({ length: 6 }, () => rng.int(4));
      const codes = { co: codebookFromPaths(Array.from({ length: nItems }, path)), se: codebookFromPaths(Array.from({ length: nItems }, path)) };
      const rows = [], cols = [];
      for (let u = 0; u < nUsers; u++) for (let t = 0; t < 3; t++) (rows.push(u), cols.push((u * 7 + t * 11) % nItems));
      const items = Int32Array.from({ length: nUsers * K }, (_, s) => (s * 13 + 5) % nItems);
      const f = { codes, history: csrFromPairs(nUsers, nItems, rows, cols).csr, candidates: { k: K, users: Int32Array.from({ length: nUsers }, (_, u) => u), items } };
      const judge = createLangChainJudge({ model: {}, modelName: 'openai:m@http://engine/v1' });
      const cache = openJudgeCache(dir + '/cache.sqlite');
      if (mode === 'write') {
        writeJudgeBatch(dir + '/requests.jsonl', { ...f, judge, model: 'm' });
        cache.close();
      } else {
        const put = cache.put.bind(cache);
        let n = 0;
        cache.put = (call) => { put(call); n++; process.stdout.write('stored ' + n + '\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); };
        const s = await importJudgeBatch(dir + '/results.jsonl', { ...f, judge, cache });
        cache.close();
        process.stdout.write('RESULT ' + JSON.stringify(s) + '\\n');
      }
      `,
    );
    const ROOT = resolve(here, '../../..');
    const run = (mode: string, killAt?: number) =>
      new Promise<{ out: string; signal: NodeJS.Signals | null }>((ok) => {
        const p = spawn(process.execPath, ['--conditions=@dtl/source', '--import', 'tsx', child, mode, dir], { cwd: ROOT });
        let out = '';
        p.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /stored (\d+)\n$/.exec(out);
          if (killAt !== undefined && m && Number(m[1]) >= killAt) p.kill('SIGKILL');
        });
        p.on('close', (_code, signal) => ok({ out, signal }));
      });
    await run('write');
    engine(join(dir, 'requests.jsonl'), join(dir, 'results.jsonl'));
    const killed = await run('import', 150);
    expect(killed.signal).toBe('SIGKILL');
    const reported = Math.max(...[...killed.out.matchAll(/stored (\d+)/g)].map((m) => Number(m[1])));
    const c = openJudgeCache(join(dir, 'cache.sqlite'));
    const afterKill = c.counts().ok;
    c.close();
    expect(afterKill).toBeGreaterThanOrEqual(reported); // every row reported stored survived the kill
    expect(afterKill).toBeLessThan(600);
    const resumed = await run('import');
    const s = JSON.parse(/RESULT (.*)/.exec(resumed.out)![1]!) as { stored: number; alreadyCached: number; failed: number };
    expect(s.alreadyCached).toBe(afterKill);
    expect(s.stored).toBe(600 - afterKill);
    expect(s.failed).toBe(0);
    const d = openJudgeCache(join(dir, 'cache.sqlite'));
    expect(d.counts()).toEqual({ ok: 600, failed: 0 });
    d.close();
  }, 60_000);

  it('a missing results file is NOT_FOUND naming it', async () => {
    const f = fixture();
    const file = join(tempDir(), 'nope.jsonl');
    const error = await importJudgeBatch(file, { ...f, judge: judge(), cache: createMemoryJudgeCache() }).catch((e: unknown) => e);
    expect(isDtlError(error, 'NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain(file);
  });

  it('validates each result like a live reply: size cap, unparseable text, HTTP errors', async () => {
    const f = fixture();
    const dir = tempDir();
    const cache = createMemoryJudgeCache();
    const requests = join(dir, 'requests.jsonl');
    writeJudgeBatch(requests, { ...f, judge: judge(), model: 'm', cache, responseFormat: 'none' });
    const ids = readFileSync(requests, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { custom_id: string; body: { response_format?: unknown } }));
    expect(ids[0]!.body.response_format).toBeUndefined();
    const ok = (id: string, content: string) => JSON.stringify({ custom_id: id, response: { status_code: 200, body: { choices: [{ message: { content } }] } }, error: null });
    const lines = [
      ok(ids[0]!.custom_id, replyFor('Candidates (5)') + ' '.repeat(5000)),
      ok(ids[1]!.custom_id, 'Once upon a time, a little bear went out to play.'),
      JSON.stringify({ custom_id: ids[2]!.custom_id, response: { status_code: 429, body: { error: { message: 'rate limited' } } }, error: null }),
      ok(ids[3]!.custom_id, '```json\n' + replyFor('Candidates (5)') + '\n```'),
      JSON.stringify({ custom_id: ids[4]!.custom_id, response: { status_code: 200, body: {} }, error: null }),
      JSON.stringify([1, 2, 3]),
    ];
    const results = join(dir, 'results.jsonl');
    writeFileSync(results, lines.join('\n') + '\n');
    const s = await importJudgeBatch(results, { ...f, judge: judge(), cache, maxReplyBytes: 4096 });
    expect(s).toMatchObject({ lines: 6, stored: 1, failed: 4, tooLarge: 1, malformed: 1 });
    const out = await runJudging({ ...f, judge: judge(), cache, cacheOnly: true });
    expect(Array.from(out.labels.subarray(3 * K, 4 * K))).toEqual([1, 1, 0, 0, 0]); // the fenced reply, repaired as online
  });
});
