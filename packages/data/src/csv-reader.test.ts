import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsvInteractions, readCsvInteractions } from './csv-reader.ts';
import { createIdMap } from './id-map.ts';
import { catchDtl, cleanTempFiles, tempFiles } from './internal/test-files.ts';

afterAll(cleanTempFiles);

const columns = { user: 'userId', item: 'movieId', rating: 'rating', timestamp: 'ts' };

describe('readCsvInteractions', () => {
  it('maps external ids to dense indices and back, keeps ratings and timestamps', () => {
    const dir = tempFiles({ 'r.csv': 'userId,movieId,rating,ts\nalice,m9,4.5,100\nbob,m2,2,101\nalice,m2,5,102\n' });
    const r = readCsvInteractions(join(dir, 'r.csv'), { columns });
    expect(Array.from(r.users)).toEqual([0, 1, 0]);
    expect(Array.from(r.items)).toEqual([0, 1, 1]);
    expect(r.userIds.external(1)).toBe('bob');
    expect(r.itemIds.external(0)).toBe('m9');
    expect(Array.from(r.ratings!)).toEqual([4.5, 2, 5]);
    expect(Array.from(r.timestamps!)).toEqual([100, 101, 102]);
    expect(Array.from(r.lines)).toEqual([2, 3, 4]);
    expect(r.rows).toBe(3);
  });

  it('keeps only rating ≥ threshold, before mapping ids', () => {
    const text = 'userId,movieId,rating,ts\nalice,m9,4.5,1\nbob,m2,2,1\ncarol,m2,4,1\n';
    const r = parseCsvInteractions(text, 'r.csv', { columns, ratingThreshold: 4 });
    expect(r.users.length).toBe(2);
    expect(r.belowThreshold).toBe(1);
    expect(r.userIds.toJSON()).toEqual(['alice', 'carol']);
  });

  it('reads TSV (by extension or detected), quoted fields, CRLF, reordered columns', () => {
    const dir = tempFiles({ 'r.tsv': 'ts\tmovieId\tuserId\n5\t"a\tb"\tu1\r\n' });
    const r = readCsvInteractions(join(dir, 'r.tsv'), { columns: { user: 'userId', item: 'movieId', timestamp: 'ts' } });
    expect(r.itemIds.external(0)).toBe('a\tb');
    expect(r.userIds.external(0)).toBe('u1');
    const q = parseCsvInteractions('user,item\n"x, ""y""",7\n', 'q.csv', { columns: { user: 'user', item: 'item' } });
    expect(q.userIds.external(0)).toBe('x, "y"');
  });

  it('shares id maps across files and can reject unknown ids', () => {
    const userIds = createIdMap();
    const itemIds = createIdMap();
    const c = { user: 'u', item: 'i' };
    parseCsvInteractions('u,i\na,x\nb,y\n', 'train.csv', { columns: c, userIds, itemIds });
    const t = parseCsvInteractions('u,i\nb,x\n', 'test.csv', { columns: c, userIds, itemIds, unknownIds: 'error' });
    expect([t.users[0], t.items[0]]).toEqual([1, 0]);
    const e = catchDtl(() => parseCsvInteractions('u,i\nb,x\nz,y\n', 'test.csv', { columns: c, userIds, itemIds, unknownIds: 'error' }));
    expect(e.message).toBe('test.csv:3: user id "z" is not in the given id map');
  });

  const bad: Array<[string, string, number, RegExp]> = [
    ['missing column', 'userId,item,rating,ts\na,b,1,1\n', 1, /header has no item column "movieId"/],
    ['ragged row', 'userId,movieId,rating,ts\na,b,1,1\na,b,1\n', 3, /malformed line: 3 field/],
    ['bad rating', 'userId,movieId,rating,ts\na,b,five,1\n', 2, /rating "five" is not a number/],
    ['bad timestamp', 'userId,movieId,rating,ts\na,b,1,1\na,c,1,yesterday\n', 3, /timestamp "yesterday"/],
    ['empty id', 'userId,movieId,rating,ts\n,b,1,1\n', 2, /empty user id/],
    ['unterminated quote', 'userId,movieId,rating,ts\n"a,b,1,1\n', 2, /unterminated quoted field/],
    ['header only', '\nuserId,movieId,rating,ts\n', 2, /empty file/],
    ['empty file', '', 1, /empty file/],
  ];
  for (const [what, text, line, reason] of bad) {
    it(`rejects ${what} with file:line`, () => {
      const dir = tempFiles({ 'bad.csv': text });
      const file = join(dir, 'bad.csv');
      const e = catchDtl(() => readCsvInteractions(file, { columns }));
      expect(e.message).toContain(`${file}:${line}:`);
      expect(e.message).toMatch(reason);
    });
  }

  it('ratingThreshold without a rating column is INVALID_ARGUMENT', () => {
    catchDtl(() => parseCsvInteractions('u,i\na,b\n', 'x.csv', { columns: { user: 'u', item: 'i' }, ratingThreshold: 3 }), 'INVALID_ARGUMENT');
  });
});
