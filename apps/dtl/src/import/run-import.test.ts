import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, isDtlError } from '@dtl/core';
import type { Csr } from '@dtl/core';
import { loadDataset, readIdMapFile } from '@dtl/data';
import { runImport } from './run-import.ts';
import type { ImportOptions } from './run-import.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dtl-import-'));
});

interface Row {
  user: string;
  item: string;
  rating: number;
  time: number;
}

/** A log with string ids, ratings 1–5, increasing times and some duplicate pairs. */
function makeLog(seed: number, rows = 2000, users = 60, items = 90): Row[] {
  const rng = createRng(seed);
  const out: Row[] = [];
  for (let n = 0; n < rows; n++) {
    out.push({ user: `u-${rng.int(users)}`, item: `it_${rng.int(items)}x`, rating: 1 + rng.int(5), time: 1_600_000_000 + n * 37 });
  }
  return out;
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const toCsv = (rows: Row[], sep = ',', header = 'user,item,rating,time') =>
  (header ? header.replaceAll(',', sep) + '\n' : '') + rows.map((r) => [r.user, r.item, r.rating, r.time].join(sep)).join('\n') + '\n';

function pairsOf(csr: Csr | undefined, users: string[], items: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (!csr) return out;
  for (let u = 0; u < csr.nRows; u++) for (let k = csr.indptr[u]!; k < csr.indptr[u + 1]!; k++) out.push([users[u]!, items[csr.indices[k]!]!]);
  return out;
}

function readBack(out: string) {
  const { data } = loadDataset(out);
  const users = readIdMapFile(join(out, 'users.tsv'));
  const items = readIdMapFile(join(out, 'items.tsv'));
  return { data, users, items, train: pairsOf(data.train, users, items), valid: pairsOf(data.valid, users, items), test: pairsOf(data.test, users, items) };
}

async function importError(options: Partial<ImportOptions> & { input: string }): Promise<Error & { code: string }> {
  try {
    await runImport({ user: 'user', item: 'item', out: join(dir, `err-${Math.random().toString(36).slice(2)}`), ...options });
  } catch (error) {
    expect(isDtlError(error)).toBe(true);
    return error as Error & { code: string };
  }
  throw new Error('expected a DtlError');
}

describe('runImport: formats and output', () => {
  it('imports a headered CSV with string ids: loadDataset reads it, id maps give back exactly the deduplicated kept pairs', async () => {
    const log = makeLog(1);
    const input = write('log.csv', toCsv(log));
    const out = join(dir, 'csv');
    const s = await runImport({ input, user: 'user', item: 'item', rating: 'rating', minRating: 3, time: 'time', out });
    const kept = new Set(log.filter((r) => r.rating >= 3).map((r) => `${r.user}\u0000${r.item}`));
    expect(s.rows).toBe(log.length);
    expect(s.belowMinRating).toBe(log.filter((r) => r.rating < 3).length);
    expect(s.duplicates).toBe(log.length - s.belowMinRating - kept.size);
    const back = readBack(out);
    const all = [...back.train, ...back.valid, ...back.test].map(([u, i]) => `${u}\u0000${i}`);
    const coldDropped = s.cold.valid.interactions + s.cold.test.interactions;
    expect(all.length + coldDropped).toBe(kept.size);
    expect(new Set(all).size).toBe(all.length);
    for (const p of all) expect(kept.has(p)).toBe(true);
    expect(back.data.nUsers).toBe(s.users);
    expect(back.users.every((u) => u.startsWith('u-'))).toBe(true);
    // Integer-free ids are indexed in text order.
    expect([...back.items].sort()).toEqual(back.items);
    const stats = JSON.parse(readFileSync(join(out, 'stats.json'), 'utf8')) as { n_users: number; import: { duplicates: number } };
    expect(stats.n_users).toBe(s.users);
    expect(stats.import.duplicates).toBe(s.duplicates);
  });

  it('random split is deterministic for a seed and differs across seeds', async () => {
    const input = write('det.csv', toCsv(makeLog(2)));
    const run = async (seed: number, name: string) => {
      await runImport({ input, user: 'user', item: 'item', seed, out: join(dir, name) });
      return ['train.txt', 'valid.txt', 'test.txt'].map((f) => readFileSync(join(dir, name, f), 'utf8')).join('|');
    };
    const a = await run(5, 'det-a');
    expect(await run(5, 'det-b')).toBe(a);
    expect(await run(6, 'det-c')).not.toBe(a);
  });

  it('--valid 0 writes no valid.txt, also over an earlier import into the same folder', async () => {
    const input = write('v0.csv', toCsv(makeLog(13, 400)));
    const out = join(dir, 'v0');
    await runImport({ input, user: 'user', item: 'item', out });
    expect(loadDataset(out).report.validSource).toBe('file');
    const s = await runImport({ input, user: 'user', item: 'item', valid: 0, out });
    expect(s.interactions.valid).toBe(0);
    const { data, report } = loadDataset(out);
    expect(data.valid).toBeUndefined();
    expect(report.validSource).not.toBe('file');
  });

  it('reads MovieLens u.data (tab, headerless) by column index, ids in numeric order', async () => {
    const log = makeLog(3).map((r, n) => ({ ...r, user: String(1 + (n % 47)), item: String(1 + ((n * 7) % 113)) }));
    const input = write('u.data', toCsv(log, '\t', ''));
    const out = join(dir, 'ml100k');
    const s = await runImport({ input, header: false, user: '0', item: '1', rating: '2', minRating: 4, time: '3', split: 'leave-last', out });
    expect(s.separator).toBe('\t');
    const back = readBack(out);
    expect(back.users.map(Number)).toEqual([...back.users.map(Number)].sort((a, b) => a - b));
    // leave-last: each user's test item is their latest kept interaction (first occurrence of a pair).
    const first = new Map<string, number>();
    for (const r of log) if (r.rating >= 4 && !first.has(`${r.user} ${r.item}`)) first.set(`${r.user} ${r.item}`, r.time);
    for (const [u, i] of back.test) {
      const own = [...first].filter(([k]) => k.startsWith(`${u} `));
      const latest = own.reduce((a, b) => (b[1] > a[1] ? b : a));
      expect(`${u} ${i}`).toBe(latest[0]);
    }
  });

  it('reads ratings.dat with the two-character separator :: and a 5-byte separator (split by the import)', async () => {
    const log = makeLog(4);
    const a = await runImport({ input: write('ratings.dat', toCsv(log, '::', '')), header: false, user: '0', item: '1', out: join(dir, 'ml1m') });
    expect(a.separator).toBe('::');
    const b = await runImport({ input: write('long.txt', toCsv(log, '<|>|<', 'user,item,rating,time')), sep: '<|>|<', user: 'user', item: 'item', out: join(dir, 'long') });
    expect(b.rows).toBe(log.length);
    expect(readFileSync(join(dir, 'long', 'train.txt'), 'utf8')).toBe(readFileSync(join(dir, 'ml1m', 'train.txt'), 'utf8'));
  });

  it('reads RecBole .inter typed headers (user_id:token) by their plain names', async () => {
    const log = makeLog(5);
    const input = write('x.inter', toCsv(log, '\t', 'user_id:token,item_id:token,rating:float,timestamp:float'));
    const s = await runImport({ input, user: 'user_id', item: 'item_id', time: 'timestamp', split: 'temporal', out: join(dir, 'inter') });
    expect(s.format).toBe('tsv');
    expect(s.columns).toEqual({ user: 'user_id', item: 'item_id', time: 'timestamp' });
    // temporal: no train interaction is later than the test cut.
    expect(s.split.temporalCuts!.test).toBeGreaterThan(s.split.temporalCuts!.valid!);
  });

  it('reads Parquet and JSONL with the same result as the CSV', async () => {
    const log = makeLog(6, 500);
    const csv = write('p.csv', toCsv(log));
    const jsonl = write('p.jsonl', log.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const parquet = join(dir, 'p.parquet');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${parquet}' (FORMAT parquet)`);
    conn.closeSync();
    const files: string[] = [];
    for (const [input, name] of [[csv, 'pc'], [jsonl, 'pj'], [parquet, 'pp']] as const) {
      await runImport({ input, user: 'user', item: 'item', time: 'time', split: 'leave-last', out: join(dir, name) });
      files.push(readFileSync(join(dir, name, 'test.txt'), 'utf8') + readFileSync(join(dir, name, 'items.tsv'), 'utf8'));
    }
    expect(files[1]).toBe(files[0]);
    expect(files[2]).toBe(files[0]);
  });

  it('iterative k-core matches an independent implementation', async () => {
    const log = makeLog(7, 1500, 120, 200);
    const s = await runImport({ input: write('k.csv', toCsv(log)), user: 'user', item: 'item', kcore: 5, out: join(dir, 'kcore') });
    let pairs = [...new Set(log.map((r) => `${r.user} ${r.item}`))].map((p) => p.split(' ') as [string, string]);
    for (;;) {
      const cu = new Map<string, number>();
      const ci = new Map<string, number>();
      for (const [u, i] of pairs) {
        cu.set(u, (cu.get(u) ?? 0) + 1);
        ci.set(i, (ci.get(i) ?? 0) + 1);
      }
      const next = pairs.filter(([u, i]) => cu.get(u)! >= 5 && ci.get(i)! >= 5);
      if (next.length === pairs.length) break;
      pairs = next;
    }
    const written = s.interactions.train + s.interactions.valid + s.interactions.test + s.cold.valid.interactions + s.cold.test.interactions;
    expect(s.kcore!.iterations).toBeGreaterThan(1);
    expect(written).toBe(pairs.length);
  });

  it('reports and drops cold valid/test interactions (an item seen only in the test time slice)', async () => {
    const log = makeLog(8, 600, 20, 30);
    log.push({ user: 'u-1', item: 'brand-new', rating: 5, time: 2_000_000_000 }, { user: 'u-2', item: 'brand-new', rating: 5, time: 2_000_000_001 });
    const s = await runImport({ input: write('cold.csv', toCsv(log)), user: 'user', item: 'item', time: 'time', split: 'temporal', out: join(dir, 'cold') });
    expect(s.cold.test.items).toBeGreaterThanOrEqual(1);
    expect(s.cold.test.interactions).toBeGreaterThanOrEqual(2);
    expect(readIdMapFile(join(dir, 'cold', 'items.tsv'))).not.toContain('brand-new');
  });
});

describe('runImport: bad input names file, line and column', () => {
  it('a missing column (name or index) names the header line and lists the columns', async () => {
    const input = write('m.csv', toCsv(makeLog(9, 20)));
    const e = await importError({ input, rating: 'stars' });
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/m\.csv:1: --rating "stars": no such column \(columns: "user", "item", "rating", "time"\)/);
    const f = await importError({ input, header: false, user: '0', item: '7' });
    expect(f.message).toMatch(/m\.csv:1: --item 7: the file has 4 columns/);
  });

  it('an empty file, a header-only file and a blank file', async () => {
    expect((await importError({ input: write('e.csv', '') })).message).toMatch(/e\.csv:1: the file is empty/);
    expect((await importError({ input: write('h.csv', 'user,item\n') })).message).toMatch(/h\.csv:2: no data rows after the header line/);
    expect((await importError({ input: write('b.csv', '\n\n') })).message).toMatch(/b\.csv:1: the file has only blank lines/);
  });

  it('an unparseable rating or time, and an empty id, name the physical line and the column', async () => {
    const rows = makeLog(10, 30);
    const text = toCsv(rows).split('\n');
    text.splice(3, 0, ''); // a blank line: physical lines and data rows differ from here on
    text[12] = 'u-1,it_1x,five,1600000000';
    const e = await importError({ input: write('r.csv', text.join('\n')), rating: 'rating' });
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toMatch(/r\.csv:13: row 11, column "rating" \(index 2\): "five" is not a number/);
    text[12] = 'u-1,it_1x,5,yesterday-ish';
    const t = await importError({ input: write('t.csv', text.join('\n')), time: 'time' });
    expect(t.message).toMatch(/t\.csv:13: row 11, column "time" \(index 3\): "yesterday-ish" is neither a number nor a date/);
    text[12] = ',it_1x,5,1600000000';
    expect((await importError({ input: write('u.csv', text.join('\n')) })).message).toMatch(/u\.csv:13: row 11, column "user" \(index 0\): empty user id/);
  });

  it('a line with too many fields or an unterminated quote names its line (the reader is not left to sniff the dialect)', async () => {
    const extra = await importError({ input: write('x.csv', 'user,item,rating\na,x,1\nb,y,2\nc,z,3,EXTRA\nd,w,4\n') });
    expect(extra.message).toMatch(/x\.csv:4: cannot parse the line \(Expected Number of Columns: 3 Found: 4; separator ","\): "c,z,3,EXTRA"/);
    const quote = await importError({ input: write('q.csv', 'user,item\n"a,x\nb,y\n') });
    expect(quote.message).toMatch(/q\.csv:2: cannot parse the line \(Value with unterminated quote found; separator ","\)/);
    // Quoted header names and values holding the separator are read as CSV quotes them.
    const rows = Array.from({ length: 60 }, (_, n) => `"u,${n % 6}",i${n % 7}`).join('\n');
    const q = await runImport({ input: write('qh.csv', `"user, id",item\n${rows}\n`), user: 'user, id', item: 'item', out: join(dir, 'qh') });
    expect(q.users).toBe(6);
    expect(readIdMapFile(join(dir, 'qh', 'users.tsv'))[0]).toBe('u,0');
  });

  it('accepts date strings as times', async () => {
    // a,z at 11:00+02:00 is 09:00 UTC, before a,y (10:00 UTC): a's latest is y. b,x at 2021-02-01T01:00+02:00
    // is 2021-01-31T23:00 UTC, still b's latest.
    const text = 'user,item,when\na,x,2021-01-02\na,y,2021-01-03 10:00:00\nb,y,2021-01-01\nb,x,2021-02-01T01:00:00+02:00\na,z,2021-01-03T11:00:00+02:00\nb,z,2020-01-01\n';
    const s = await runImport({ input: write('d.csv', text), user: 'user', item: 'item', time: 'when', split: 'leave-last', valid: 0, out: join(dir, 'dates') });
    const back = readBack(join(dir, 'dates'));
    expect(s.interactions.test).toBe(2);
    expect(back.test.sort()).toEqual([['a', 'y'], ['b', 'x']]);
  });

  it('no rows left after --min-rating or after the k-core', async () => {
    const input = write('f.csv', toCsv(makeLog(11, 50)));
    const e = await importError({ input, rating: 'rating', minRating: 9 });
    expect(e.message).toMatch(/f\.csv: no interactions left after --min-rating 9: column "rating" \(index 2\) ranges from 1 to 5 over 50 rows/);
    expect((await importError({ input, kcore: 40 })).message).toMatch(/no interactions left after the 40-core filter/);
  });

  it('a split left empty says which and what to change', async () => {
    const one = 'user,item,time\na,x,1\nb,y,2\nc,z,3\n';
    const e = await importError({ input: write('s1.csv', one), time: 'time', split: 'leave-last' });
    expect(e.message).toMatch(/s1\.csv: the test split is empty after --split leave-last: no user has 2 or more interactions/);
    // 28 distinct times, then 12 equal ones: the valid cut (quantile 0.7) and the test cut (0.8) coincide.
    const same = 'user,item,time\n' + Array.from({ length: 40 }, (_, n) => `u${n % 5},i${n % 8},${Math.min(n, 28)}`).join('\n') + '\n';
    const t = await importError({ input: write('s2.csv', same), time: 'time', split: 'temporal' });
    expect(t.message).toMatch(/the valid split is empty after --split temporal --valid 0.1 --test 0.2: the time cut put nothing there/);
    const flat = 'user,item,time\n' + Array.from({ length: 40 }, (_, n) => `u${n % 5},i${n},7`).join('\n') + '\n';
    expect((await importError({ input: write('s4.csv', flat), time: 'time', split: 'temporal' })).message).toMatch(/the train split is empty after --split temporal.*equal timestamps/);
    expect((await importError({ input: write('s3.csv', one), split: 'temporal' })).message).toMatch(/--split temporal needs --time COL/);
  });
});

describe('DuckDB stays out of every other command', () => {
  it('no app source imports @duckdb/node-api statically (only `import type` and the dynamic import in run-import.ts)', async () => {
    const { readdirSync } = await import('node:fs');
    const root = join(import.meta.dirname, '..');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const offenders = files.filter((f) => /^\s*import\s+(?!type\b)[^;]*['"]@duckdb\/node-api['"]/m.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
    expect(readFileSync(join(root, 'import', 'run-import.ts'), 'utf8')).toContain("await import('@duckdb/node-api')");
  });
});
