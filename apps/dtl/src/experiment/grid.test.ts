import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readGrid } from './grid.ts';

const dir = mkdtempSync(join(tmpdir(), 'dtl-grid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('readGrid', () => {
  it('reads cells with defaults and a pairedWith reference', () => {
    const grid = readGrid(write('ok.yaml', 'cells:\n  - { name: RNS, args: [], baseline: true }\n  - { name: X, args: ["--fn-use", "exclude"], pairedWith: RNS }\n'));
    expect(grid.seeds).toEqual([2022, 2023, 2024]);
    expect(grid.cells[1]!.pairedWith).toBe('RNS');
    expect(grid.cells[0]!.pairedWith).toBeUndefined();
  });

  it('rejects a pairedWith that names no other cell, duplicate names and unknown keys, naming the file', () => {
    const missing = write('missing.yaml', 'cells:\n  - { name: X, args: [], pairedWith: Nope }\n');
    expect(() => readGrid(missing)).toThrow(/pairedWith "Nope" is not another cell/);
    expect(() => readGrid(write('self.yaml', 'cells:\n  - { name: X, args: [], pairedWith: X }\n'))).toThrow(/not another cell/);
    expect(() => readGrid(write('dup.yaml', 'cells:\n  - { name: X, args: [] }\n  - { name: X, args: [] }\n'))).toThrow(/duplicate cell name/);
    expect(() => readGrid(write('key.yaml', 'cells:\n  - { name: X, args: [], paired: Y }\n'))).toThrow(/invalid experiment grid/);
    let caught: unknown;
    try {
      readGrid(missing);
    } catch (error) {
      caught = error;
    }
    expect((caught as { location?: { file?: string } }).location?.file).toBe(missing);
  });
});
