/**
 * Judge throughput against a local OpenAI-compatible server (127.0.0.1), through the app's real
 * provider path (`createJudge` → ChatOpenAI with the capped fetch → `runJudging`):
 * judged users per second vs `--concurrency` (1, 4, 16, 64), per-user vs per-pair prompts, with
 * prompt/response token counts. Two simulated servers:
 *
 * - `latency`: every request takes 200 ms ± 50 ms (seeded uniform jitter), any number in parallel
 *   (a remote API whose cost is per-request latency);
 * - `batched`: a continuous-batching engine (vLLM-like) — requests wait for the next decoding
 *   round; a round takes every waiting request (at most 64) and lasts 200 ms + 4 ms per request in
 *   it, so throughput grows with concurrency until the batch is full.
 *
 * Plus the offline path: writing the batch request file and importing a results file (local cost
 * only; the engine's own time is not simulated there).
 *
 *   pnpm --silent bench judge-throughput [--users 256] [--k 20] [--seconds 4] [--concurrency 1,4,16,64]
 *
 * Bounded in time: each row judges only as many users as fit in about `--seconds` at the expected
 * rate (at least 2), so the whole table takes ~1 minute.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codebookFromPaths, createRng, csrFromPairs } from '@dtl/core';
import type { Rng } from '@dtl/core';
import { createMemoryJudgeCache, estimateTokens, importJudgeBatch, runJudging, writeJudgeBatch } from '@dtl/llm-fn';
import { createJudge, parseLlmSpec } from '../apps/dtl/src/providers.ts';

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

type Mode = 'latency' | 'batched';

interface SimServer {
  readonly baseURL: string;
  mode: Mode;
  requests: number;
  close(): Promise<void>;
}

function answer(user: string): string {
  const n = Number(/Candidates \((\d+)\)/.exec(user)?.[1] ?? 0);
  return JSON.stringify({ judgments: Array.from({ length: n }, (_, i) => ({ index: i, label: i % 3 === 0 ? 'positive' : 'negative' })) });
}

async function startSimServer(rng: Rng): Promise<SimServer> {
  const state = { mode: 'latency' as Mode, requests: 0 };
  let waiting: Array<() => void> = [];
  let busy = false;
  const round = (): void => {
    if (busy || waiting.length === 0) return;
    busy = true;
    const batch = waiting.splice(0, 64);
    setTimeout(() => {
      busy = false;
      for (const send of batch) send();
      round();
    }, 200 + 4 * batch.length);
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      state.requests++;
      const body = JSON.parse(text) as { model: string; messages: Array<{ role: string; content: string }> };
      const prompt = body.messages.map((m) => m.content).join('\n');
      const content = answer(body.messages.find((m) => m.role === 'user')?.content ?? '');
      const payload = JSON.stringify({
        id: 'x',
        object: 'chat.completion',
        created: 0,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: estimateTokens(prompt), completion_tokens: estimateTokens(content), total_tokens: 0 },
      });
      const send = (): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(payload);
      };
      if (state.mode === 'latency') setTimeout(send, 150 + 100 * rng.next());
      else {
        waiting.push(send);
        round();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get mode() {
      return state.mode;
    },
    set mode(m: Mode) {
      state.mode = m;
    },
    get requests() {
      return state.requests;
    },
    set requests(v: number) {
      state.requests = v;
    },
    async close() {
      waiting = [];
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

function workload(nUsers: number, k: number, rng: Rng) {
  const nItems = 2000;
  const path = (): number[] => Array.from({ length: 4 }, () => rng.int(4));
  const codes = { co: codebookFromPaths(Array.from({ length: nItems }, path)), se: codebookFromPaths(Array.from({ length: nItems }, path)) };
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const seen = new Set<number>();
    while (seen.size < 20) seen.add(rng.int(nItems));
    for (const i of seen) (rows.push(u), cols.push(i));
  }
  const items = Int32Array.from({ length: nUsers * k }, () => rng.int(nItems));
  return { codes, history: csrFromPairs(nUsers, nItems, rows, cols).csr, candidates: { k, users: Int32Array.from({ length: nUsers }, (_, u) => u), items } };
}

/** The first `n` users of a workload. */
function firstUsers(w: ReturnType<typeof workload>, n: number): ReturnType<typeof workload> {
  const k = w.candidates.k;
  return { ...w, candidates: { k, users: w.candidates.users.subarray(0, n), items: w.candidates.items.subarray(0, n * k) } };
}

export async function main(args: string[]): Promise<void> {
  const nUsers = Number(option(args, 'users', '256'));
  const k = Number(option(args, 'k', '20'));
  const budget = Number(option(args, 'seconds', '4'));
  const levels = option(args, 'concurrency', '1,4,16,64').split(',').map(Number);
  const rng = createRng(7);
  const w = workload(nUsers, k, rng);
  const server = await startSimServer(createRng(11));
  const { judge } = await createJudge(parseLlmSpec(`openai:sim@${server.baseURL}`), { env: {} });
  const rows: string[] = [];
  try {
    for (const mode of ['latency', 'batched'] as const) {
      server.mode = mode;
      for (const per of ['user', 'pair'] as const) {
        for (const c of levels) {
          const callsPerUser = per === 'user' ? 1 : k;
          // Expected seconds per call at this concurrency (batched: a round per min(c, 64) requests).
          const perCall = mode === 'latency' ? 0.2 / c : (0.2 + 0.004 * Math.min(c, 64)) / Math.min(c, 64);
          const users = Math.max(2, Math.min(nUsers, Math.ceil(budget / (perCall * callsPerUser))));
          const before = server.requests;
          const t0 = performance.now();
          const out = await runJudging({ ...firstUsers(w, users), judge, granularity: per, concurrency: c, cache: createMemoryJudgeCache(), retries: 0 });
          const s = (performance.now() - t0) / 1000;
          const calls = server.requests - before;
          rows.push(
            `| ${mode} | ${per} | ${c} | ${users} | ${calls} | ${s.toFixed(2)} | **${(users / s).toFixed(2)}** | ${(calls / s).toFixed(1)} | ${Math.round(out.stats.promptTokens / users)} | ${Math.round(out.stats.responseTokens / users)} | ${out.stats.failed} |`,
          );
        }
      }
    }
    // Offline path: local cost of writing the request file and importing results for all users.
    const dir = mkdtempSync(join(tmpdir(), 'dtl-bench-batch-'));
    try {
      const cache = createMemoryJudgeCache();
      for (const per of ['user', 'pair'] as const) {
        const file = join(dir, `req-${per}.jsonl`);
        let t0 = performance.now();
        const wr = writeJudgeBatch(file, { ...w, judge, model: 'sim', granularity: per, cache });
        const writeS = (performance.now() - t0) / 1000;
        const results = readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((l) => {
            const r = JSON.parse(l) as { custom_id: string; body: { messages: Array<{ role: string; content: string }> } };
            const content = answer(r.body.messages[1]!.content);
            return JSON.stringify({ custom_id: r.custom_id, response: { status_code: 200, body: { choices: [{ message: { content } }], usage: { prompt_tokens: 0, completion_tokens: estimateTokens(content) } } }, error: null });
          });
        const resFile = join(dir, `res-${per}.jsonl`);
        writeFileSync(resFile, results.join('\n') + '\n');
        t0 = performance.now();
        const imp = await importJudgeBatch(resFile, { ...w, judge, granularity: per, cache });
        const importS = (performance.now() - t0) / 1000;
        rows.push(
          `| offline files | ${per} | – | ${nUsers} | ${wr.written} lines | write ${writeS.toFixed(2)} + import ${importS.toFixed(2)} | **${(nUsers / (writeS + importS)).toFixed(0)}** (local only) | – | ${Math.round(wr.promptTokens / nUsers)} (est.) | – | ${imp.failed} |`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await server.close();
  }
  process.stdout.write(
    [
      `Judge throughput, ${k} candidates per user, ${nUsers} synthetic users (history 20 items, 4-level codes); ChatOpenAI → 127.0.0.1.`,
      '',
      '| server | prompts | concurrency | users judged | calls | seconds | users/s | calls/s | prompt tok/user | response tok/user | failed |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
    ].join('\n'),
  );
}
