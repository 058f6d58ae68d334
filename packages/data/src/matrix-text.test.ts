import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import { formatFloat32, parseMatrixText, readMatrixText, writeMatrixText } from './matrix-text.ts';
import { catchDtl, cleanTempFiles, tempFiles } from './internal/test-files.ts';

afterAll(cleanTempFiles);

describe('readMatrixText / writeMatrixText', () => {
  it('round-trips float32 values exactly', () => {
    const rng = createRng(42);
    const rows = 50;
    const dim = 16;
    const data = new Float32Array(rows * dim);
    for (let k = 0; k < data.length; k++) data[k] = rng.normal() * Math.pow(10, rng.int(20) - 10);
    data.set([0, -0, 1, -1, 0.1, 3.4028234663852886e38, 1.401298464324817e-45, 1e-7, 123456789], 0);
    const file = join(tempFiles(), 'emb', 'items.txt');
    writeMatrixText(file, { rows, dim, data });
    const back = readMatrixText(file);
    expect([back.rows, back.dim]).toEqual([rows, dim]);
    for (let k = 0; k < data.length; k++) expect(Object.is(back.data[k], data[k])).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').length).toBe(rows + 1); // one row per line + final newline
  });

  it('formats compactly when fewer digits suffice', () => {
    expect(formatFloat32(1)).toBe('1');
    expect(formatFloat32(Math.fround(0.5))).toBe('0.5');
    expect(formatFloat32(Math.fround(0.1))).toBe('0.100000001');
    expect(Math.fround(Number(formatFloat32(Math.fround(0.1))))).toBe(Math.fround(0.1));
    catchDtl(() => formatFloat32(Number.NaN), 'INVALID_ARGUMENT');
  });

  it('reads tabs, extra spaces and trailing blank lines', () => {
    const m = parseMatrixText(' 1\t2.5  -3e2\n4 5 6\n\n\n', 'm.txt');
    expect([m.rows, m.dim]).toEqual([2, 3]);
    expect(Array.from(m.data)).toEqual([1, 2.5, -300, 4, 5, 6]);
  });

  const bad: Array<[string, string, number, RegExp]> = [
    ['bad float', '1 2\n3 x\n', 2, /value 2 "x" is not a finite float/],
    ['nan', '1 nan\n', 1, /"nan"/],
    ['hex', '0x10 1\n', 1, /"0x10"/],
    ['comma decimal', '1,5 2\n', 1, /"1,5"/],
    ['float32 overflow', '1e39 1\n', 1, /overflows float32/],
    ['ragged row', '1 2 3\n4 5 6\n7 8\n', 3, /ragged row: 2 values, the first row has 3/],
    ['blank line inside', '1 2\n\n3 4\n', 2, /blank line/],
    ['empty file', '\n\n', 1, /empty file/],
  ];
  for (const [what, text, line, reason] of bad) {
    it(`rejects ${what} with file:line`, () => {
      const file = join(tempFiles({ 'm.txt': text }), 'm.txt');
      const e = catchDtl(() => readMatrixText(file));
      expect(e.message).toContain(`${file}:${line}:`);
      expect(e.message).toMatch(reason);
    });
  }
});
