import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLightGcn, readLightGcnFile } from './lightgcn-reader.ts';
import { catchDtl, cleanTempFiles, tempFiles } from './internal/test-files.ts';

afterAll(cleanTempFiles);

describe('readLightGcnFile', () => {
  it('reads user item item … lines, tabs, CRLF, blank lines and user-only lines', () => {
    const dir = tempFiles({ 'train.txt': '0 3 1\n\n2\t5  4\r\n7\n1 1\n' });
    const p = readLightGcnFile(join(dir, 'train.txt'));
    expect(Array.from(p.users)).toEqual([0, 0, 2, 2, 1]);
    expect(Array.from(p.items)).toEqual([3, 1, 5, 4, 1]);
    expect(Array.from(p.lines)).toEqual([1, 1, 3, 3, 5]);
    expect(p.maxUser).toBe(7); // the user-only line counts
    expect(p.maxItem).toBe(5);
    expect(p.lineCount).toBe(4);
  });

  it('accepts a file without a trailing newline', () => {
    const p = parseLightGcn('4 2 9', 'x.txt');
    expect(Array.from(p.items)).toEqual([2, 9]);
  });

  const bad: Array<[string, string, number, RegExp]> = [
    ['non-integer item', '0 1\n1 2 x3\n', 2, /item id "x3" is not a non-negative integer/],
    ['float item', '0 1.5\n', 1, /item id "1.5"/],
    ['negative user', '0 1\n\n-4 2\n', 3, /user id "-4" is negative/],
    ['negative item', '0 -1\n', 1, /item id "-1" is negative/],
    ['huge id', '0 99999999999\n', 1, /too large/],
  ];
  for (const [what, text, line, reason] of bad) {
    it(`rejects a ${what} with file:line`, () => {
      const dir = tempFiles({ 'train.txt': text });
      const file = join(dir, 'train.txt');
      const error = catchDtl(() => readLightGcnFile(file));
      expect(error.message).toContain(`${file}:${line}:`);
      expect(error.message).toMatch(reason);
      expect(error.location).toEqual({ file, line });
    });
  }

  it('rejects an empty file unless allowEmpty', () => {
    const dir = tempFiles({ 'valid.txt': '\n  \n' });
    const file = join(dir, 'valid.txt');
    const error = catchDtl(() => readLightGcnFile(file));
    expect(error.message).toContain(`${file}:1:`);
    expect(error.message).toMatch(/empty file/);
    expect(readLightGcnFile(file, { allowEmpty: true }).users.length).toBe(0);
  });

  it('rejects ids beyond declared sizes, naming where they were declared', () => {
    const text = '0 1 2\n3 4\n';
    expect(() => parseLightGcn(text, 't.txt', { nUsers: 4, nItems: 5 })).not.toThrow();
    const e1 = catchDtl(() => parseLightGcn(text, 't.txt', { nUsers: 3, rangeSource: 'stats.json' }));
    expect(e1.message).toBe('t.txt:2: user id 3 is out of range (n_users = 3 declared in stats.json)');
    const e2 = catchDtl(() => parseLightGcn(text, 't.txt', { nItems: 4 }));
    expect(e2.message).toMatch(/^t\.txt:2: item id 4 is out of range \(n_items = 4/);
  });

  it('a missing file is NOT_FOUND', () => {
    const dir = tempFiles();
    expect(catchDtl(() => readLightGcnFile(join(dir, 'nope.txt')), 'NOT_FOUND').message).toContain('nope.txt');
  });
});
