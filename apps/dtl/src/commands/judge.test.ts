import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import { openJudgeCache, readFalseNegativeSet } from '@dtl/llm-fn';
import { startFakeOpenAiServer } from '@dtl/llm-fn/testing';
import type { FakeCall, FakeOpenAiServer, FakeReply } from '@dtl/llm-fn/testing';

const ROOT = resolve(import.meta.dirname, '../../../..');
const SECRET = 'sk-cli-secret-0123456789abcdef';
const N_USERS = 24;
const N_ITEMS = 40;

/** A synthetic `dtl train` run: dataset, run.json, embeddings, trees/codes-*.txt. */
function writeRun(dir: string): void {
  const rng = createRng(21);
  const data = join(dir, 'data');
  mkdirSync(data);
  const splits: Record<string, string[]> = { train: [], valid: [], test: [] };
  for (let u = 0; u < N_USERS; u++) {
    const items = new Set<number>();
    while (items.size < 7) items.add(rng.int(N_ITEMS));
    const list = [...items];
    splits.train!.push(`${u} ${list.slice(0, 5).join(' ')}`);
    splits.valid!.push(`${u} ${list[5]}`);
    splits.test!.push(`${u} ${list[6]}`);
  }
  for (const [name, lines] of Object.entries(splits)) writeFileSync(join(data, `${name}.txt`), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ data }));
  mkdirSync(join(dir, 'embeddings'));
  const matrix = (rows: number) => Array.from({ length: rows }, () => Array.from({ length: 4 }, () => rng.normal().toFixed(4)).join(' ')).join('\n') + '\n';
  writeFileSync(join(dir, 'embeddings', 'user.txt'), matrix(N_USERS));
  writeFileSync(join(dir, 'embeddings', 'item.txt'), matrix(N_ITEMS));
  mkdirSync(join(dir, 'trees'));
  for (const view of ['co', 'se']) {
    const lines = Array.from({ length: N_ITEMS }, (_, i) => `${i}: ${Array.from({ length: 3 }, () => rng.int(3)).join('-')}`);
    writeFileSync(join(dir, 'trees', `codes-${view}.txt`), lines.join('\n') + '\n');
  }
}

interface Child {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runDtl(args: string[], killWhen?: () => boolean, env: Record<string, string> = {}): Promise<Child> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--conditions=@dtl/source', '--import', 'tsx', 'apps/dtl/src/bin.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, OPENAI_API_KEY: SECRET, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timer: NodeJS.Timeout | undefined;
    if (killWhen) {
      timer = setInterval(() => {
        if (killWhen()) {
          clearInterval(timer);
          child.kill('SIGKILL');
        }
      }, 2);
    }
    child.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

let server: FakeOpenAiServer;
const goodReply = (call: FakeCall, delayMs = 40): FakeReply => {
  const n = Number(/Candidates \((\d+)\)/.exec(call.user)?.[1] ?? 0);
  const judgments = Array.from({ length: n }, (_, i) => ({ index: i, label: i < 2 ? 'positive' : 'negative' }));
  return { kind: 'content', content: JSON.stringify({ judgments }), delayMs };
};
let reply: (call: FakeCall, n: number) => FakeReply = (call) => goodReply(call);
let dir: string;
beforeAll(async () => {
  server = await startFakeOpenAiServer((call: FakeCall, n: number) => reply(call, n));
  dir = mkdtempSync(join(tmpdir(), 'dtl-judge-cli-'));
  writeRun(dir);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dtl judge', () => {
  it('rule judge: JSON summary and a versioned artifact', async () => {
    const r = await runDtl(['judge', '--run', dir, '--candidates', '5', '--threshold', '0.5', '--cache', join(dir, 'rule.sqlite'), '--out', join(dir, 'rule-fn.json'), '--json']);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number | string>;
    for (const key of ['calls', 'cached', 'failed', 'candidates', 'positives', 'positive_rate', 'precision', 'recall']) expect(res).toHaveProperty(key);
    expect(res['calls']).toBe(N_USERS);
    expect(res['candidates']).toBe(N_USERS * 5);
    const set = readFalseNegativeSet(join(dir, 'rule-fn.json'));
    let flagged = 0;
    for (let u = 0; u < N_USERS; u++) flagged += set.pairs.indptr[u + 1]! - set.pairs.indptr[u]!;
    expect(flagged).toBe(res['positives']);
    expect(set.meta.judge).toBe('rule:either:co>=0.5,se>=0.5');
  });

  it('a run killed with SIGKILL mid-way resumes with zero repeated completed calls', async () => {
    const cachePath = join(dir, 'llm.sqlite');
    const args = ['judge', '--run', dir, '--llm', `openai:m@${server.baseURL}`, '--candidates', '5', '--concurrency', '2', '--cache', cachePath, '--out', join(dir, 'llm-fn.json'), '--json'];
    const start = server.calls.length;
    const killed = await runDtl(args, () => server.completed >= 8);
    expect(killed.signal).toBe('SIGKILL');
    const firstRun = server.calls.slice(start);
    expect(firstRun.length).toBeLessThan(N_USERS);

    // What the killed run had committed: the cache rows of the prompts it sent.
    const judgeId = `langchain:openai:m@${server.baseURL}:p1`;
    const keyOf = (c: FakeCall) => {
      const system = c.body.messages?.find((m) => m.role === 'system')?.content as string;
      return createHash('sha256').update(judgeId).update('\0').update(`${system}\n---\n${c.user}`).digest('hex');
    };
    const cache = openJudgeCache(cachePath);
    const committed = new Set(firstRun.filter((c) => cache.get(keyOf(c))?.status === 'ok').map((c) => c.user));
    expect(cache.counts().ok).toBe(committed.size);
    cache.close();
    expect(committed.size).toBeGreaterThanOrEqual(1);
    expect(committed.size).toBeLessThan(N_USERS);

    const mid = server.calls.length;
    const resumed = await runDtl(args);
    expect(resumed.code).toBe(0);
    const secondRun = server.calls.slice(mid);
    expect(secondRun.filter((c) => committed.has(c.user))).toEqual([]);
    expect(secondRun.length).toBe(N_USERS - committed.size);
    const res = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(res['cached']).toBe(committed.size);
    expect(res['calls']).toBe(N_USERS - committed.size);
    expect(res['failed']).toBe(0);
    expect(res['positives']).toBe(2 * N_USERS);

    const again = await runDtl(args);
    const res2 = JSON.parse(again.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(res2['calls']).toBe(0);
    expect(res2['cached']).toBe(N_USERS);

    for (const text of [killed.stdout, killed.stderr, resumed.stdout, resumed.stderr, readFileSync(join(dir, 'llm-fn.json'), 'utf8')]) {
      expect(text).not.toContain(SECRET);
    }
    expect(readFileSync(cachePath).includes(SECRET)).toBe(false);
  });
});

const lastJson = (c: Child): Record<string, number | string> => JSON.parse(c.stdout.trim().split('\n').at(-1)!) as Record<string, number | string>;
/** Under --json a failing command ends stdout with one {"error"} object; the judge summary is printed just before it. */
const summaryBeforeError = (c: Child): Record<string, number | string> => {
  const lines = c.stdout.trim().split('\n');
  expect(JSON.parse(lines.at(-1)!)).toHaveProperty('error.code', 'PROVIDER_FAILURE');
  return JSON.parse(lines.at(-2)!) as Record<string, number | string>;
};

describe('dtl judge: hostile inputs (issue 16)', () => {
  it('class 1: a malformed --llm is rejected before any request; a good one prints its host first', async () => {
    const before = server.calls.length;
    const bad = await runDtl(['judge', '--run', dir, '--llm', `openai:m@${server.baseURL.replace('http://', '')}`, '--cache', join(dir, 'bad.sqlite'), '--json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/INVALID_ARGUMENT: --llm .*must start with http:\/\/ or https:\/\//);
    expect(server.calls.length).toBe(before);
    expect(existsSync(join(dir, 'bad.sqlite'))).toBe(false);

    const host = new URL(server.baseURL).host;
    const good = await runDtl(['judge', '--run', dir, '--llm', `openai:m@${server.baseURL}`, '--users', '2', '--candidates', '3', '--cache', join(dir, 'host.sqlite'), '--out', join(dir, 'host-fn.json'), '--json']);
    expect(good.code).toBe(0);
    const lines = good.stderr.split('\n');
    const endpoint = lines.findIndex((l) => l.includes(`judge endpoint: openai model "m" at host ${host}`));
    expect(endpoint).toBeGreaterThanOrEqual(0);
    expect(endpoint).toBeLessThan(lines.findIndex((l) => /\d+\/\d+ requests/.test(l)));
  }, 60_000);

  it('class 2: a key echoed by the server (401 and 200 bodies) is in no file and no output', async () => {
    const KEY = 'lm-studio-0d1e2f3a4b5c6d7e';
    reply = (call, n) => {
      const key = String(call.headers.authorization ?? '').replace(/^Bearer /, '');
      if (n % 2 === 0) return { kind: 'error', status: 401, message: `Incorrect API key provided: ${key}` };
      const good = goodReply(call, 0) as { content: string };
      return { kind: 'content', content: `key=${key} ${good.content}` };
    };
    try {
      const cachePath = join(dir, 'echo.sqlite');
      const out = join(dir, 'echo-fn.json');
      const r = await runDtl(['judge', '--run', dir, '--llm', `openai:m@${server.baseURL}`, '--users', '6', '--candidates', '3', '--retries', '0', '--concurrency', '1', '--max-failed', '1', '--cache', cachePath, '--out', out], undefined, { OPENAI_API_KEY: KEY });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/6 requests, 6 calls, 0 cached, 3 failed/);
      for (const text of [r.stdout, r.stderr, readFileSync(out, 'utf8')]) expect(text).not.toContain(KEY);
      for (const file of [cachePath, `${cachePath}-wal`]) if (existsSync(file)) expect(readFileSync(file).includes(KEY)).toBe(false);
      expect(readFileSync(cachePath).includes('[redacted]')).toBe(true);
    } finally {
      reply = (call) => goodReply(call);
    }
  }, 60_000);

  it('class 8: two dtl judge on one cache never make the same call twice', async () => {
    reply = (call) => goodReply(call, 400);
    try {
      const cachePath = join(dir, 'two.sqlite');
      const args = (i: number) => ['judge', '--run', dir, '--llm', `openai:m@${server.baseURL}`, '--candidates', '4', '--concurrency', '2', '--cache', cachePath, '--out', join(dir, `two-${i}.json`), '--json'];
      const before = server.calls.length;
      // The second starts once the first is calling (so it holds the lock; ~5 s of calls remain).
      const first = runDtl(args(1));
      while (server.calls.length === before) await new Promise((ok) => setTimeout(ok, 10));
      const [a, b] = await Promise.all([first, runDtl(args(2))]);
      const calls = server.calls.slice(before).map((c) => c.user);
      expect(new Set(calls).size).toBe(calls.length); // no prompt sent twice
      const results = [a, b];
      const winner = results.find((r) => r.code === 0)!;
      const loser = results.find((r) => r.code !== 0)!;
      expect(winner).toBeDefined();
      expect(loser?.code).toBe(2);
      expect(loser.stderr).toMatch(/STATE_MISMATCH: .*judge cache .* is in use by process \d+/);
      expect(lastJson(winner)['calls']).toBe(N_USERS);
      expect(existsSync(`${cachePath}.lock`)).toBe(false);
    } finally {
      reply = (call) => goodReply(call);
    }
  }, 60_000);

  it('class 10: exits non-zero with the count when more than --max-failed of the requests failed', async () => {
    reply = () => ({ kind: 'error', status: 500 });
    try {
      const args = ['judge', '--run', dir, '--llm', `openai:m@${server.baseURL}`, '--users', '5', '--candidates', '3', '--retries', '0', '--cache', join(dir, 'fail.sqlite'), '--out', join(dir, 'fail-fn.json'), '--json'];
      const r = await runDtl(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/5 of 5 judge requests failed or have no result \(100\.0 % > --max-failed 5\.0 %\)/);
      expect(summaryBeforeError(r)['failed']).toBe(5); // the summary is still printed
      const tolerant = await runDtl([...args, '--max-failed', '1']);
      expect(tolerant.code).toBe(0);
    } finally {
      reply = (call) => goodReply(call);
    }
  }, 60_000);
});

describe('dtl startup (issue 15)', () => {
  it('--help loads none of the heavy optional packages', async () => {
    const hook = join(dir, 'trace-hook.mjs');
    writeFileSync(
      hook,
      `export async function resolve(specifier, context, next) {
        const r = await next(specifier, context);
        if (/node_modules\\/(better-sqlite3|node-llama-cpp|@langchain)\\//.test(r.url)) process.stderr.write('HEAVY ' + r.url + '\\n');
        return r;
      }`,
    );
    const register = join(dir, 'trace-register.mjs');
    writeFileSync(
      register,
      `import { createRequire, register } from 'node:module';
      register(${JSON.stringify('file://' + hook)});
      // CommonJS loads (require) bypass the ESM hook: check the require cache at exit too.
      process.on('exit', () => {
        for (const k of Object.keys(createRequire(import.meta.url).cache)) if (/node_modules\\/(better-sqlite3|node-llama-cpp|@langchain)\\//.test(k)) process.stderr.write('HEAVY ' + k + '\\n');
      });`,
    );
    const child = spawn(process.execPath, ['--conditions=@dtl/source', '--import', 'tsx', '--import', register, 'apps/dtl/src/bin.ts', 'judge', '--help'], { cwd: ROOT });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise((ok) => child.on('close', ok));
    expect(code).toBe(0);
    expect(stdout).toMatch(/--max-failed/);
    expect(stderr).not.toMatch(/HEAVY/);
  }, 60_000);
});

describe('dtl judge: batch files (issue 20)', () => {
  const ENGINE = join(ROOT, 'packages/llm-fn/src/testing/fake-batch-engine.mjs');
  const engine = (input: string, output: string, ...flags: string[]) =>
    new Promise<number | null>((ok) => spawn(process.execPath, [ENGINE, '-i', input, '-o', output, ...flags]).on('close', ok));
  const pairsOf = (file: string) => {
    const set = readFalseNegativeSet(file);
    return { indptr: Array.from(set.pairs.indptr), indices: Array.from(set.pairs.indices) };
  };

  it('--batch-out → fake engine (with malformed lines) → --batch-in → rerun gives the online artifact, with no request sent', async () => {
    reply = (call) => goodReply(call, 0);
    const llm = `openai:m@${server.baseURL}`;
    const common = ['judge', '--run', dir, '--llm', llm, '--candidates', '4', '--json'];
    const online = await runDtl([...common, '--cache', join(dir, 'online.sqlite'), '--out', join(dir, 'online-fn.json')]);
    expect(online.code).toBe(0);

    const before = server.calls.length;
    const cache = join(dir, 'batch.sqlite');
    const reqs = join(dir, 'requests.jsonl');
    const out = await runDtl([...common, '--cache', cache, '--batch-out', reqs]);
    expect(out.code).toBe(0);
    expect(lastJson(out)).toMatchObject({ requests: N_USERS, written: N_USERS, cached: 0, model: 'm' });
    expect(readFileSync(reqs, 'utf8')).not.toContain(SECRET);

    const results = join(dir, 'results.jsonl');
    expect(await engine(reqs, results, '--hostile')).toBe(0);
    const imported = await runDtl([...common, '--cache', cache, '--out', join(dir, 'batch-fn.json'), '--batch-in', results]);
    expect(imported.code).toBe(2); // 2 of 24 without a result > 5 %
    const r1 = summaryBeforeError(imported) as unknown as { missing: number; batch: Record<string, number> };
    expect(r1.missing).toBe(2);
    expect(r1.batch).toMatchObject({ stored: N_USERS - 2, failed: 1, malformed: 2, unknown: 1, duplicate: 1 });
    expect(imported.stderr).toMatch(/results\.jsonl:\d+: malformed or truncated JSON/);

    // Only the two unanswered prompts go into the next batch file.
    const reqs2 = join(dir, 'requests-2.jsonl');
    const out2 = await runDtl([...common, '--cache', cache, '--batch-out', reqs2]);
    expect(lastJson(out2)).toMatchObject({ written: 2, cached: N_USERS - 2 });
    const results2 = join(dir, 'results-2.jsonl');
    expect(await engine(reqs2, results2)).toBe(0);
    const done = await runDtl([...common, '--cache', cache, '--out', join(dir, 'batch-fn.json'), '--batch-in', results2]);
    expect(done.code).toBe(0);
    expect(lastJson(done)).toMatchObject({ missing: 0, failed: 0, calls: 0, cached: N_USERS, positives: 2 * N_USERS });

    // Importing the first file again (an import rerun after a kill) stores and repeats nothing.
    const again = await runDtl([...common, '--cache', cache, '--out', join(dir, 'batch-fn.json'), '--batch-in', results]);
    expect((lastJson(again) as unknown as { batch: Record<string, number> }).batch).toMatchObject({ stored: 0, failed: 0, alreadyCached: N_USERS - 1 });
    expect(server.calls.length).toBe(before); // the offline path never called the server
    expect(pairsOf(join(dir, 'batch-fn.json'))).toEqual(pairsOf(join(dir, 'online-fn.json')));
    reply = (call) => goodReply(call);
  }, 90_000);
});
