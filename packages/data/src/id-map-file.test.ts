import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDtlError } from '@dtl/core';
import { formatIdMap, parseIdMap, readIdMapFile, writeIdMapFile } from './id-map-file.ts';

describe('id-map files', () => {
  it('round-trips ids with tabs, newlines and backslashes', () => {
    const ids = ['A2XYZ', 'with\ttab', 'two\nlines', 'back\\slash\\t', '', 'ünï'];
    const dir = mkdtempSync(join(tmpdir(), 'idmap-'));
    writeIdMapFile(join(dir, 'users.tsv'), ids);
    expect(readIdMapFile(join(dir, 'users.tsv'))).toEqual(ids);
    expect(formatIdMap(['a', 'b'])).toBe('index\tid\n0\ta\n1\tb\n');
  });

  it('names file:line for a missing header, a skipped index and a duplicate id', () => {
    const at = (text: string) => {
      try {
        parseIdMap(text, 'items.tsv');
      } catch (e) {
        expect(isDtlError(e, 'INVALID_DATA')).toBe(true);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(at('0\ta\n')).toMatch(/^items\.tsv:1: /);
    expect(at('index\tid\n0\ta\n2\tb\n')).toMatch(/^items\.tsv:3: expected "1<TAB>id"/);
    expect(at('index\tid\n0\ta\n1\ta\n')).toMatch(/^items\.tsv:3: id "a" appears twice/);
  });

  it('reads CRLF files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idmap-'));
    writeFileSync(join(dir, 'x.tsv'), 'index\tid\r\n0\tu1\r\n1\tu2\r\n');
    expect(readIdMapFile(join(dir, 'x.tsv'))).toEqual(['u1', 'u2']);
  });
});
