import { mkdtempSync, readFileSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ATOMIC_TEMP_PATTERN, atomicTempPath, writeFileAtomic, writeJsonAtomic } from './atomic-write.ts';

const root = mkdtempSync(join(tmpdir(), 'dtl-core-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('@dtl/core/node atomic writes', () => {
  it('writes JSON pretty-printed with a final newline and leaves no temporary file', () => {
    const path = join(root, 'x.json');
    writeJsonAtomic(path, { b: 1, a: [1, 2] });
    expect(readFileSync(path, 'utf8')).toBe(JSON.stringify({ b: 1, a: [1, 2] }, null, 2) + '\n');
    writeFileAtomic(path, 'replaced');
    expect(readFileSync(path, 'utf8')).toBe('replaced');
    expect(readdirSync(root)).toEqual(['x.json']);
  });

  it('a failed write is IO_ERROR naming the path and removes its temporary file', () => {
    const dir = join(root, 'target-is-dir');
    mkdirSync(dir);
    expect(() => writeFileAtomic(dir, 'x')).toThrow(expect.objectContaining({ code: 'IO_ERROR', location: { file: dir } }));
    expect(readdirSync(root).filter((f) => ATOMIC_TEMP_PATTERN.test(f))).toEqual([]);
  });

  it('the temporary name carries the pid the stale-file cleaner reads', () => {
    expect(ATOMIC_TEMP_PATTERN.exec(atomicTempPath('/a/b.json', 4242))?.[1]).toBe('4242');
  });
});
