import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import { openJudgeCache, readFalseNegativeSet } from '@dtl/llm-fn';
import { startFakeOpenAiServer } from '@dtl/llm-fn/testing';
import type { FakeCall, FakeOpenAiServer } from '@dtl/llm-fn/testing';

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

function runDtl(args: string[], killWhen?: () => boolean): Promise<Child> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--conditions=@dtl/source', '--import', 'tsx', 'apps/dtl/src/bin.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, OPENAI_API_KEY: SECRET },
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
let dir: string;
beforeAll(async () => {
  server = await startFakeOpenAiServer((call: FakeCall) => {
    const n = Number(/Candidates \((\d+)\)/.exec(call.user)?.[1] ?? 0);
    const judgments = Array.from({ length: n }, (_, i) => ({ index: i, label: i < 2 ? 'positive' : 'negative' }));
    return { kind: 'content', content: JSON.stringify({ judgments }), delayMs: 40 };
  });
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
