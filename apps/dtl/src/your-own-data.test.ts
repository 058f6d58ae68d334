import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRng } from '@dtl/core';
import type { Csr } from '@dtl/core';
import { loadDataset, readIdMapFile } from '@dtl/data';
import { buildProgram } from './cli.ts';

/**
 * The README's "From an interaction log to recommendations" walkthrough, run as written (in this
 * process, in a scratch folder) on generated logs: a headered CSV with string ids, and a
 * MovieLens-style headerless tab-separated file with string ids, ratings and timestamps.
 */
const README = resolve(import.meta.dirname, '../../../README.md');
const MARKER = '<!-- tested as written by apps/dtl/src/your-own-data.test.ts';

/** The `pnpm dtl …` commands of the README block, as argument lists (continuations joined, simple quotes). */
function readmeCommands(): string[][] {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(MARKER);
  expect(start).toBeGreaterThan(0);
  const open = text.indexOf('```sh\n', start);
  const close = text.indexOf('\n```', open + 6);
  const body = text.slice(open + 6, close).replace(/\\\n\s*/g, ' ');
  return body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('pnpm dtl '))
    .map((l) => [...l.slice('pnpm dtl '.length).matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!));
}

let dir: string;
let cwd: string;
let stdout: string[] = [];

async function dtl(args: string[]): Promise<unknown> {
  stdout = [];
  await buildProgram().parseAsync(['node', 'dtl', ...args]);
  const last = stdout.join('').trim().split('\n').pop() ?? '';
  return args.includes('--json') ? JSON.parse(last) : undefined;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dtl-own-data-'));
  cwd = process.cwd();
  process.chdir(dir);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterAll(() => {
  process.chdir(cwd);
  vi.restoreAllMocks();
});

/** A log with taste groups (so training learns something), string ids, ratings and increasing times. */
function generateLog(seed: number, nUsers: number, nItems: number, perUser: number): Array<{ user: string; item: string; rating: number; time: number }> {
  const rng = createRng(seed);
  const hex = () => rng.uint32().toString(16).padStart(8, '0');
  const users = Array.from({ length: nUsers }, () => `cust-${hex()}`);
  const items = Array.from({ length: nItems }, (_, i) => `SKU-${hex()}-${i}`);
  const groups = 6;
  const rows = [];
  let time = 1_700_000_000;
  for (let u = 0; u < nUsers; u++) {
    const g = u % groups;
    for (let n = 0; n < perUser; n++) {
      const inGroup = rng.next() < 0.8;
      const i = inGroup ? g + groups * rng.int(Math.floor(nItems / groups)) : rng.int(nItems);
      rows.push({ user: users[u]!, item: items[i]!, rating: inGroup ? 3 + rng.int(3) : 1 + rng.int(5), time: (time += 1 + rng.int(90)) });
    }
  }
  return rows;
}

function pairs(csr: Csr, users: string[], items: string[]): Set<string> {
  const out = new Set<string>();
  for (let u = 0; u < csr.nRows; u++) for (let k = csr.indptr[u]!; k < csr.indptr[u + 1]!; k++) out.add(`${users[u]}\u0000${items[csr.indices[k]!]}`);
  return out;
}

interface Rec {
  user: string;
  item: string;
  rank: number;
  score: number;
  source: string;
}

function readRecommendations(path: string): Rec[] {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  if (path.endsWith('.jsonl')) return lines.map((l) => JSON.parse(l) as Rec);
  expect(lines[0]).toBe('user,item,rank,score,source');
  return lines.slice(1).map((l) => {
    const [user, item, rank, score, source] = l.split(',');
    return { user: user!, item: item!, rank: Number(rank), score: Number(score), source: source! };
  });
}

/** Checks a recommendations file against the dataset: original ids, no training item, K rows each, and Recall@20 = dtl eval's. */
async function checkFlow(dataDir: string, runDir: string, recPath: string, inputIds: { users: Set<string>; items: Set<string> }): Promise<number> {
  const { data } = loadDataset(dataDir);
  const users = readIdMapFile(join(dataDir, 'users.tsv'));
  const items = readIdMapFile(join(dataDir, 'items.tsv'));
  const recs = readRecommendations(recPath);
  const train = pairs(data.train, users, items);
  const byUser = new Map<string, string[]>();
  for (const r of recs) {
    expect(inputIds.users.has(r.user)).toBe(true);
    expect(inputIds.items.has(r.item)).toBe(true);
    expect(train.has(`${r.user}\u0000${r.item}`)).toBe(false);
    expect(r.source).toBe('model');
    const list = byUser.get(r.user) ?? [];
    expect(r.rank).toBe(list.length + 1);
    list.push(r.item);
    byUser.set(r.user, list);
  }
  expect(byUser.size).toBe(data.nUsers);
  for (const list of byUser.values()) expect(list.length).toBe(20);
  // Recall@20 from the file, summed in user order as the evaluator sums.
  const test = data.test!;
  let sum = 0;
  let n = 0;
  for (let u = 0; u < test.nRows; u++) {
    const rel = test.indices.subarray(test.indptr[u]!, test.indptr[u + 1]!);
    if (rel.length === 0) continue;
    const got = new Set(byUser.get(users[u]!) ?? []);
    let hits = 0;
    for (const i of rel) if (got.has(items[i]!)) hits++;
    sum += hits / rel.length;
    n++;
  }
  const recall = sum / n;
  const ev = (await dtl(['eval', '--data', dataDir, '--user-emb', join(runDir, 'embeddings/user.txt'), '--item-emb', join(runDir, 'embeddings/item.txt'), '--k', '20', '--json'])) as {
    metrics: Record<string, number>;
  };
  expect(recall).toBeCloseTo(ev.metrics['recall@20']!, 12);
  return recall;
}

describe('README walkthrough: your own data, import → train → recommend', () => {
  it('has the commands the test runs', () => {
    const cmds = readmeCommands();
    expect(cmds.map((c) => c[0] + (c[0] === 'data' ? ` ${c[1]}` : ''))).toEqual(['data import', 'train', 'recommend', 'eval', 'data import', 'train', 'recommend']);
  });

  it('a headered CSV with string ids: original ids, no training item, the Recall@20 of dtl eval', async () => {
    const log = generateLog(11, 150, 90, 24);
    writeFileSync('interactions.csv', 'user_id,item_id,rating,timestamp\n' + log.map((r) => `${r.user},${r.item},${r.rating},${r.time}`).join('\n') + '\n');
    const cmds = readmeCommands().slice(0, 4);
    for (const args of cmds) await dtl(args);
    const ids = { users: new Set(log.map((r) => r.user)), items: new Set(log.map((r) => r.item)) };
    const recall = await checkFlow('data/mine', 'runs/mine', 'recommendations.csv', ids);
    // The model learned the taste groups: far above random top-20 of ~80 items (~0.25).
    expect(recall).toBeGreaterThan(0.3);
    // The README's embeddings line: npy files with the id maps beside them.
    await dtl(['export-emb', '--run', 'runs/mine', '--format', 'npy', '--out', 'emb']);
    expect(readFileSync('emb/user.npy').subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    expect(readIdMapFile('emb/users.tsv')).toEqual(readIdMapFile('data/mine/users.tsv'));
  });

  it('a MovieLens-style headerless tab file with string ids, ratings and timestamps (leave-last)', async () => {
    const log = generateLog(12, 120, 72, 20);
    writeFileSync('u.data', log.map((r) => `${r.user}\t${r.item}\t${r.rating}\t${r.time}`).join('\n') + '\n');
    for (const args of readmeCommands().slice(4)) await dtl(args);
    const ids = { users: new Set(log.map((r) => r.user)), items: new Set(log.map((r) => r.item)) };
    await checkFlow('data/ml', 'runs/ml', 'ml-recommendations.jsonl', ids);
    // leave-last: one test interaction per user.
    const { data } = loadDataset('data/ml');
    expect(data.test!.indices.length).toBe(data.nUsers);
  });
});
