import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csrFromPairs } from '@dtl/core';
import { loadDataset } from './load-dataset.ts';
import { formatLightGcn, writeLightGcnDataset } from './lightgcn-writer.ts';
import { generateSynthetic } from './synthetic.ts';
import { cleanTempFiles, tempFiles } from './internal/test-files.ts';

afterAll(cleanTempFiles);

describe('writeLightGcnDataset', () => {
  it('writes the LightGCN layout, omitting empty rows', () => {
    const m = csrFromPairs(4, 9, [2, 0, 2, 0], [8, 3, 1, 0]).csr;
    expect(formatLightGcn(m)).toBe('0 0 3\n2 1 8\n');
  });

  it('round-trips through loadDataset, sizes included (via stats.json)', () => {
    const { data } = generateSynthetic({ preset: 'tiny', seed: 3 });
    const padded = { ...data, nUsers: data.nUsers + 2, nItems: data.nItems + 5 }; // trailing ids with no interactions
    const grow = (m: typeof data.train) => {
      const indptr = new Int32Array(padded.nUsers + 1).fill(m.indptr[m.nRows]!);
      indptr.set(m.indptr);
      return { nRows: padded.nUsers, nCols: padded.nItems, indptr, indices: m.indices };
    };
    const input = { ...padded, train: grow(data.train), valid: grow(data.valid!), test: grow(data.test!) };
    const dir = join(tempFiles(), 'out');
    writeLightGcnDataset(dir, input, { note: 'x' });
    const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')) as Record<string, unknown>;
    expect(stats).toMatchObject({ name: data.name, n_users: input.nUsers, n_items: input.nItems, note: 'x' });
    const { data: back, report } = loadDataset(dir, { overlap: 'error' });
    expect(back.name).toBe(data.name);
    expect([back.nUsers, back.nItems]).toEqual([input.nUsers, input.nItems]);
    expect(back.train).toEqual(input.train);
    expect(back.valid).toEqual(input.valid);
    expect(back.test).toEqual(input.test);
    expect(report.splits.train.duplicates).toBe(0);
  });
});
