import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePairs, readPairsFile } from './pairs-reader.ts';
import { catchDtl, cleanTempFiles, tempFiles } from './internal/test-files.ts';

afterAll(cleanTempFiles);

describe('readPairsFile', () => {
  it('reads space- and tab-separated pairs, skipping blank lines', () => {
    const dir = tempFiles({ 'raw.txt': '0 5\n1\t2\n\n1 2\n' });
    const p = readPairsFile(join(dir, 'raw.txt'));
    expect(Array.from(p.users)).toEqual([0, 1, 1]);
    expect(Array.from(p.items)).toEqual([5, 2, 2]);
    expect(Array.from(p.lines)).toEqual([1, 2, 4]);
    expect([p.maxUser, p.maxItem]).toEqual([1, 5]);
  });

  it('subtracts offsets (DTL-NS raw files store item + n_users)', () => {
    const nUsers = 3;
    const text = `0\t${nUsers + 0}\n2\t${nUsers + 4}\n`;
    const p = parsePairs(text, 'raw.txt', { itemOffset: nUsers });
    expect(Array.from(p.items)).toEqual([0, 4]);
    const q = parsePairs('10 20\n', 'r.txt', { userOffset: 10, itemOffset: 20 });
    expect([q.users[0], q.items[0]]).toEqual([0, 0]);
  });

  it('rejects an id below its offset', () => {
    const e = catchDtl(() => parsePairs('0 15138\n1 12\n', 'raw.txt', { itemOffset: 15138 }));
    expect(e.message).toBe('raw.txt:2: item id 12 is below itemOffset 15138');
  });

  it('rejects malformed lines (one or three fields) with file:line', () => {
    const dir = tempFiles({ 'a.txt': '0 1\n2\n', 'b.txt': '0 1\n1 2 3\n' });
    for (const name of ['a.txt', 'b.txt']) {
      const file = join(dir, name);
      const e = catchDtl(() => readPairsFile(file));
      expect(e.message).toContain(`${file}:2: malformed line`);
    }
  });

  it('rejects non-integer and negative ids with file:line', () => {
    expect(catchDtl(() => parsePairs('0 1\n0 abc\n', 'p.txt')).message).toMatch(/^p\.txt:2: item id "abc"/);
    expect(catchDtl(() => parsePairs('-1 1\n', 'p.txt')).message).toMatch(/^p\.txt:1: user id "-1" is negative/);
  });

  it('rejects an empty file and out-of-range ids', () => {
    expect(catchDtl(() => parsePairs('', 'p.txt')).message).toMatch(/^p\.txt:1: empty file/);
    expect(catchDtl(() => parsePairs('0 1\n0 7\n', 'p.txt', { nItems: 7 })).message).toMatch(/^p\.txt:2: item id 7 is out of range/);
  });
});
