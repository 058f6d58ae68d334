import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DtlError, codebookFromPaths, createRng, csrFromPairs, isDtlError } from '@dtl/core';
import type { DualCodebook, FalseNegativeJudge, JudgeRequest, JudgeResult } from '@dtl/core';
import type { CandidateSet } from './candidate-set.ts';
import { judgeCallKey } from './judge-cache.ts';
import { openJudgeCache } from './sqlite-judge-cache.ts';
import type { JudgeCache } from './judge-cache.ts';
import { createRuleJudge } from './rule-judge.ts';
import { runJudging } from './run-judging.ts';

const nUsers = 6;
const nItems = 60;
const K = 20;

function fixture(): { codes: DualCodebook; history: ReturnType<typeof csrFromPairs>['csr']; candidates: CandidateSet } {
  const rng = createRng(3);
  const path = (): number[] => Array.from({ length: 3 + rng.int(3) }, () => rng.int(3));
  const codes = { co: codebookFromPaths(Array.from({ length: nItems }, path)), se: codebookFromPaths(Array.from({ length: nItems }, path)) };
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < nUsers; u++) for (let t = 0; t < 5; t++) (rows.push(u), cols.push((u * 7 + t * 3) % nItems));
  const history = csrFromPairs(nUsers, nItems, rows, cols).csr;
  const items = new Int32Array(nUsers * K);
  for (let u = 0; u < nUsers; u++) for (let j = 0; j < K; j++) items[u * K + j] = (u * 11 + j * 2 + 1) % nItems;
  items[nUsers * K - 1] = -1; // one padded slot
  return { codes, history, candidates: { k: K, users: Int32Array.from({ length: nUsers }, (_, u) => u), items } };
}

/** Wraps a judge, counting calls and completed request keys. */
function counting(inner: FalseNegativeJudge, behave?: (n: number, r: JudgeRequest, signal?: AbortSignal) => Promise<void>) {
  const state = { calls: 0, completed: [] as string[], inFlight: 0, maxInFlight: 0 };
  const judge: FalseNegativeJudge = {
    id: inner.id,
    key: (r) => inner.key(r),
    async judge(r, signal): Promise<JudgeResult> {
      const n = state.calls++;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      try {
        await new Promise((res) => setTimeout(res, 2));
        await behave?.(n, r, signal);
        const out = await inner.judge(r, signal);
        state.completed.push(inner.key(r));
        return out;
      } finally {
        state.inFlight--;
      }
    },
  };
  return { judge, state };
}

let dirs: string[] = [];
const caches: JudgeCache[] = [];
function tempCache(): { path: string; open: () => JudgeCache } {
  const dir = mkdtempSync(join(tmpdir(), 'dtl-judge-'));
  dirs.push(dir);
  const path = join(dir, 'cache.sqlite');
  return {
    path,
    open: () => {
      const c = openJudgeCache(path);
      caches.push(c);
      return c;
    },
  };
}
afterEach(() => {
  for (const c of caches.splice(0)) c.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('runJudging', () => {
  it('per-user prompting makes 20× fewer calls than per-pair, with identical labels; a cached rerun makes none', async () => {
    const f = fixture();
    const slots = nUsers * K - 1;
    const perUser = counting(createRuleJudge({ threshold: 0.6 }));
    const a = await runJudging({ ...f, judge: perUser.judge, granularity: 'user' });
    const perPair = counting(createRuleJudge({ threshold: 0.6 }));
    const b = await runJudging({ ...f, judge: perPair.judge, granularity: 'pair' });
    expect(a.stats.calls).toBe(nUsers);
    expect(b.stats.calls).toBe(slots);
    expect(perPair.state.calls / perUser.state.calls).toBeCloseTo(slots / nUsers, 10);
    expect(b.stats.calls).toBeGreaterThanOrEqual(20 * a.stats.calls - 1);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.stats.candidates).toBe(slots);
    expect(a.stats.positives + a.stats.negatives).toBe(slots);
    expect(a.stats.positives).toBeGreaterThan(0);
    expect(a.stats.negatives).toBeGreaterThan(0);
    expect(a.labels[nUsers * K - 1]).toBe(-1);

    const cache = tempCache();
    for (const granularity of ['user', 'pair'] as const) {
      const first = counting(createRuleJudge({ threshold: 0.6 }));
      const r1 = await runJudging({ ...f, judge: first.judge, granularity, cache: cache.open() });
      const again = counting(createRuleJudge({ threshold: 0.6 }));
      const r2 = await runJudging({ ...f, judge: again.judge, granularity, cache: cache.open() });
      expect(r1.stats.cached).toBe(0);
      expect(again.state.calls).toBe(0);
      expect(r2.stats.calls).toBe(0);
      expect(r2.stats.cached).toBe(r1.stats.requests);
      expect(Array.from(r2.labels)).toEqual(Array.from(a.labels));
    }
  });

  it('bounds concurrency', async () => {
    const f = fixture();
    for (const concurrency of [1, 3]) {
      const c = counting(createRuleJudge());
      await runJudging({ ...f, judge: c.judge, granularity: 'pair', concurrency });
      expect(c.state.maxInFlight).toBeLessThanOrEqual(concurrency);
      expect(c.state.maxInFlight).toBe(concurrency);
    }
  });

  it('retries failures with backoff, records a request that keeps failing, and retries it on resume', async () => {
    const f = fixture();
    const cache = tempCache();
    // User 2's request fails always; user 4's fails twice, then succeeds.
    let user4Failures = 0;
    const firstItem = (u: number) => f.candidates.items[u * K]!;
    const matches = (r: JudgeRequest, u: number) => {
      const c = r.candidates[0]!.co;
      const want = f.codes.co.paths.subarray(f.codes.co.offsets[firstItem(u)]!, f.codes.co.offsets[firstItem(u) + 1]!);
      return r.candidates.length === K - (u === nUsers - 1 ? 1 : 0) && c.length === want.length && Array.from(c).every((x, i) => x === want[i]);
    };
    const flaky = counting(createRuleJudge(), async (_n, r) => {
      if (matches(r, 2)) throw new DtlError('PROVIDER_FAILURE', 'scripted 500 (api_key=sk-abcdefghijklmnop)');
      if (matches(r, 4) && user4Failures < 2) {
        user4Failures++;
        throw new DtlError('PROVIDER_FAILURE', 'scripted malformed reply');
      }
    });
    const out = await runJudging({ ...f, judge: flaky.judge, cache: cache.open(), retries: 2, backoffMs: 1, rng: createRng(1) });
    expect(out.stats.failed).toBe(1);
    expect(out.stats.retries).toBe(2 + 2);
    expect(out.stats.calls).toBe(nUsers + 4);
    for (let j = 0; j < K; j++) expect(out.labels[2 * K + j]).toBe(-1);
    expect(out.labels[4 * K]).not.toBe(-1);
    expect(out.stats.unlabeled).toBe(K);
    const c = cache.open();
    expect(c.counts()).toEqual({ ok: nUsers - 1, failed: 1 });

    const healthy = counting(createRuleJudge());
    const rerun = await runJudging({ ...f, judge: healthy.judge, cache: c });
    expect(healthy.state.calls).toBe(1);
    expect(rerun.stats.cached).toBe(nUsers - 1);
    expect(rerun.stats.failed).toBe(0);
    expect(rerun.labels[2 * K]).not.toBe(-1);
  });

  it('stores failures without secrets', async () => {
    const f = fixture();
    const cache = tempCache();
    const bad = counting(createRuleJudge(), async () => {
      throw new DtlError('PROVIDER_FAILURE', 'upstream said: Authorization: Bearer sk-abcdefghijklmnop123 rejected');
    });
    const out = await runJudging({ ...f, judge: bad.judge, cache: cache.open(), retries: 0 });
    expect(out.stats.failed).toBe(nUsers);
    const c = cache.open();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(cache.path, { readonly: true });
    const errors = db.prepare('SELECT error FROM judge_calls').all() as Array<{ error: string }>;
    db.close();
    expect(errors).toHaveLength(nUsers);
    for (const e of errors) {
      expect(e.error).toContain('PROVIDER_FAILURE');
      expect(e.error).not.toContain('sk-abcdefghijklmnop123');
    }
    expect(c.counts().failed).toBe(nUsers);
  });

  it('times out hanging calls (recorded as failed) without failing the run', async () => {
    const f = fixture();
    const hang = counting(createRuleJudge(), (n, _r, signal) =>
      n === 0
        ? new Promise<void>((_res, rej) => signal?.addEventListener('abort', () => rej(new DtlError('CANCELLED', 'aborted'))))
        : Promise.resolve(),
    );
    const out = await runJudging({ ...f, judge: hang.judge, concurrency: 1, timeoutMs: 30, retries: 0 });
    expect(out.stats.timeouts).toBe(1);
    expect(out.stats.failed).toBe(1);
    expect(out.stats.calls).toBe(nUsers);
  });

  it('a run aborted after N calls resumes without repeating any completed call', async () => {
    const f = fixture();
    const cache = tempCache();
    const controller = new AbortController();
    const first = counting(createRuleJudge(), async (n) => {
      if (n === 7) controller.abort(new Error('killed'));
    });
    const error = await runJudging({ ...f, judge: first.judge, granularity: 'pair', concurrency: 3, cache: cache.open(), signal: controller.signal }).catch((e: unknown) => e);
    expect(isDtlError(error, 'CANCELLED')).toBe(true);
    const completed = new Set(first.state.completed);
    expect(completed.size).toBeGreaterThan(0);
    expect(completed.size).toBeLessThan(nUsers * K - 1);

    const second = counting(createRuleJudge());
    const out = await runJudging({ ...f, judge: second.judge, granularity: 'pair', concurrency: 3, cache: cache.open() });
    const repeated = second.state.completed.filter((k) => completed.has(k));
    expect(repeated).toEqual([]);
    expect(out.stats.cached + second.state.calls).toBe(out.stats.requests);
    expect(out.stats.failed).toBe(0);
    expect(judgeCallKey(second.judge, { history: [], candidates: [{ co: [1], se: [1] }] })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('validates its inputs', async () => {
    const f = fixture();
    const bad = { ...f.candidates, items: new Int32Array(3) };
    await expect(runJudging({ ...f, candidates: bad, judge: createRuleJudge() })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(runJudging({ ...f, judge: createRuleJudge(), concurrency: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
