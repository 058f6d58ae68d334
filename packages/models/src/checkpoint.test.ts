import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDtlError } from '@dtl/core';
import { readCheckpoint, writeCheckpoint } from './checkpoint.ts';

const dir = mkdtempSync(join(tmpdir(), 'dtl-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const contents = { meta: { epoch: 3, model: 'mf' }, tensors: { 'embeddings.0': Float32Array.from([1, 2, 3, 4.5]), 'adam.m': new Float32Array(3) } };

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isDtlError(e) ? `${e.code}: ${e.message}` : `not a DtlError: ${String(e)}`;
  }
  return 'ok';
}

// Issue 16 (fuzz finding): a checkpoint damaged after it was written must never resume silently.
describe('checkpoint integrity', () => {
  const file = join(dir, 'checkpoint.bin');
  writeCheckpoint(file, contents);
  const bytes = readFileSync(file);

  it('reads back exactly what was written', () => {
    const back = readCheckpoint(file);
    expect(back.meta).toEqual(contents.meta);
    expect(Array.from(back.tensors['embeddings.0']!)).toEqual([1, 2, 3, 4.5]);
  });

  it('a flipped bit in the tensor data, a truncation or appended bytes are INVALID_DATA naming the file', () => {
    const damaged = join(dir, 'damaged.bin');
    const flipped = Buffer.from(bytes);
    flipped[bytes.length - 40] = flipped[bytes.length - 40]! ^ 0x10; // inside the tensors, before the 32-byte trailer
    for (const b of [flipped, bytes.subarray(0, bytes.length - 5), Buffer.concat([bytes, Buffer.from('x')])]) {
      writeFileSync(damaged, b);
      expect(codeOf(() => readCheckpoint(damaged))).toMatch(new RegExp(`^INVALID_DATA: ${damaged}: not a usable dtl checkpoint: .*; delete it`));
    }
  });

  it('a header that is valid JSON of the wrong shape is INVALID_DATA, not a TypeError', () => {
    const damaged = join(dir, 'shape.bin');
    for (const header of ['null', '{"meta":{},"tensors":7}', '{"meta":{},"tensors":[{"name":"x","length":-1,"offset":0}]}', '[]']) {
      const h = Buffer.from(header);
      const prefix = Buffer.alloc(12);
      prefix.write('DTLCKPT1', 0, 'ascii');
      prefix.writeUInt32LE(h.length, 8);
      writeFileSync(damaged, Buffer.concat([prefix, h]));
      expect(codeOf(() => readCheckpoint(damaged))).toMatch(/^INVALID_DATA: /);
    }
  });
});
