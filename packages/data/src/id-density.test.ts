import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkIdDensity, ID_DENSITY_DEFAULTS } from './id-density.ts';
import { parseLightGcn } from './lightgcn-reader.ts';
import { loadDataset } from './load-dataset.ts';
import { parsePairs, readPairsFile } from './pairs-reader.ts';
import { catchDtl, cleanTempFiles, tempFiles } from './internal/test-files.ts';

afterAll(cleanTempFiles);

// Issue 16, class 3: dense-id readers bound memory by the data, not by the largest id.
describe('dense ids: the id range is bounded by the distinct ids', () => {
  const lines = (n: number, from = 0) => Array.from({ length: n }, (_, u) => `${u + from} ${u % 7} ${(u * 3) % 11}`).join('\n') + '\n';

  it('rejects one item id near 2e9 in train.txt at its file:line, without allocating by range', () => {
    const dir = tempFiles({ 'train.txt': lines(20) + '20 1999999999 3\n' + lines(5, 21), 'test.txt': '0 4\n' });
    const before = process.memoryUsage().rss;
    const error = catchDtl(() => loadDataset(dir));
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
    expect(error.location).toEqual({ file: join(dir, 'train.txt'), line: 21 });
    expect(error.message).toMatch(/item id 1999999999 makes the item range 2000000000 ids wide/);
    expect(error.message).toContain('dtl data import');
  });

  it('rejects a user id of 5e7 among 300 users, in valid or test too, also on a user-only line', () => {
    for (const [file, text, line] of [
      ['valid.txt', '1 2\n50000000 3\n', 2],
      ['test.txt', '\n\n50000000\n', 3],
    ] as const) {
      const dir = tempFiles({ 'train.txt': lines(300), [file]: text });
      const error = catchDtl(() => loadDataset(dir));
      expect(error.location).toEqual({ file: join(dir, file), line });
      expect(error.message).toMatch(/user id 50000000 makes the user range 50000001 ids wide, but 301 distinct user ids occur/);
    }
  });

  it('rejects a range declared in stats.json far beyond the data, naming stats.json', () => {
    const dir = tempFiles({ 'train.txt': lines(30), 'stats.json': JSON.stringify({ n_users: 30, n_items: 2000000000 }) });
    const error = catchDtl(() => loadDataset(dir));
    expect(error.location).toEqual({ file: join(dir, 'stats.json') });
    expect(error.message).toMatch(/n_items = 2000000000 is declared/);
  });

  it('accepts ids up to factor·distinct + slack and rejects one more (counted over all splits)', () => {
    const { factor, slack } = ID_DENSITY_DEFAULTS;
    // 100 distinct users: 0..98 in train, one more in test at the largest allowed id.
    const limit = factor * 100 + slack; // range size allowed
    const train = Array.from({ length: 99 }, (_, u) => `${u} 1`).join('\n') + '\n';
    const ok = tempFiles({ 'train.txt': train, 'test.txt': `${limit - 1} 2\n` });
    expect(loadDataset(ok).data.nUsers).toBe(limit);
    const bad = tempFiles({ 'train.txt': train, 'test.txt': `${limit} 2\n` });
    expect(catchDtl(() => loadDataset(bad)).location).toEqual({ file: join(bad, 'test.txt'), line: 1 });
  });

  it('checkIdDensity counts distinct ids, not pairs (repeated ids do not make a range acceptable)', () => {
    const repeated = parsePairs(Array.from({ length: 5000 }, () => '0 3000').join('\n'), 'p.txt');
    const error = catchDtl(() => checkIdDensity([repeated], 'item', 3001));
    expect(error.message).toMatch(/but 1 distinct item ids occur in p\.txt/);
    expect(() => checkIdDensity([repeated], 'item', 3001, { factor: 4, slack: 3000 })).not.toThrow();
  });
});

// Issue 16, class 4: a UTF-8 byte-order mark at the start of a LightGCN-layout or pairs file.
describe('a byte-order mark at the start of a file is accepted', () => {
  const bom = '\uFEFF';

  it('by the LightGCN reader and the pairs reader', () => {
    expect(Array.from(parseLightGcn(`${bom}3 1 2\n0 4\n`, 'a.txt').users)).toEqual([3, 3, 0]);
    const dir = tempFiles({ 'pairs.txt': `${bom}5 7\r\n1 2\r\n` });
    const p = readPairsFile(join(dir, 'pairs.txt'), { itemOffset: 1 });
    expect(Array.from(p.users)).toEqual([5, 1]);
    expect(Array.from(p.items)).toEqual([6, 1]);
  });

  it('by loadDataset in every split, and only at the start (elsewhere it is still an error)', () => {
    const dir = tempFiles({ 'train.txt': `${bom}0 1 2\n1 0\n`, 'valid.txt': `${bom}1 2\n`, 'test.txt': `${bom}0 0\n` });
    const { data } = loadDataset(dir);
    expect([data.nUsers, data.nItems, data.train.indices.length, data.valid!.indices.length, data.test!.indices.length]).toEqual([2, 3, 3, 1, 1]);
    const error = catchDtl(() => parseLightGcn(`0 1\n${bom}1 2\n`, 'b.txt'));
    expect(error.location).toEqual({ file: 'b.txt', line: 2 });
  });
});

describe('error messages show invisible characters', () => {
  it('a byte-order mark inside a file is spelled out, not printed invisibly', () => {
    const error = catchDtl(() => parseLightGcn('0 1\n\uFEFF1 2\n', 'c.txt'));
    expect(error.message).toBe('c.txt:2: user id "\\u{feff}1" is not a non-negative integer');
    expect(catchDtl(() => parseLightGcn('0 1\u0000\n', 'd.txt')).message).toContain('"1\\u{0}"');
  });
});
