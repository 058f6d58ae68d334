import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csrRow, csrUnion } from '@dtl/core';
import type { Csr } from '@dtl/core';
import { loadDataset } from './load-dataset.ts';
import { catchDtl, cleanTempFiles, tempFiles } from './internal/test-files.ts';

afterAll(cleanTempFiles);

const rows = (m: Csr | undefined) => (m ? Array.from({ length: m.nRows }, (_, r) => Array.from(csrRow(m, r))) : undefined);

describe('loadDataset', () => {
  it('builds sorted CSR splits, sizes from the largest id, counts duplicates per split', () => {
    const dir = tempFiles({
      'train.txt': '0 5 1 3 1\n2 0\n2 0 4\n',
      'valid.txt': '1 2 2\n',
      'test.txt': '0 6\n4\n',
    });
    const { data, report } = loadDataset(dir);
    expect([data.nUsers, data.nItems]).toEqual([5, 7]); // user 4 listed alone in test; item 6 in test
    expect(rows(data.train)).toEqual([[1, 3, 5], [], [0, 4], [], []]);
    expect(rows(data.valid)).toEqual([[], [2], [], [], []]);
    expect(rows(data.test)).toEqual([[6], [], [], [], []]);
    expect(report.sizeSource).toEqual({ users: 'max-id', items: 'max-id' });
    expect(report.splits.train).toMatchObject({ pairsRead: 7, duplicates: 2, interactions: 5, users: 2, lines: 3 });
    expect(report.splits.valid).toMatchObject({ pairsRead: 2, duplicates: 1, interactions: 1 });
    expect(report.splits.test).toMatchObject({ pairsRead: 1, duplicates: 0, interactions: 1 });
    expect(report.validSource).toBe('file');
    expect(data.name).toBe(report.name);
  });

  it('takes n_users / n_items (and name) from stats.json and rejects ids beyond them', () => {
    const dir = tempFiles({ 'train.txt': '0 1\n1 2\n', 'stats.json': '{"name":"toy","n_users":4,"n_items":10}' });
    const { data, report } = loadDataset(dir);
    expect([data.nUsers, data.nItems, data.name]).toEqual([4, 10, 'toy']);
    expect(report.sizeSource).toEqual({ users: 'stats.json', items: 'stats.json' });

    const bad = tempFiles({ 'train.txt': '0 1\n1 2\n', 'test.txt': '0 3\n\n3 10\n', 'stats.json': '{"n_users":4,"n_items":10}' });
    const e = catchDtl(() => loadDataset(bad));
    expect(e.message).toContain(`${join(bad, 'test.txt')}:3: item id 10 is out of range (n_items = 10 declared in ${join(bad, 'stats.json')})`);
    const badJson = tempFiles({ 'train.txt': '0 1\n', 'stats.json': '{"n_users": "many"}' });
    expect(catchDtl(() => loadDataset(badJson)).message).toMatch(/stats\.json: n_users must be a non-negative integer/);
  });

  it('a missing folder or train.txt is NOT_FOUND; an empty eval file is a warning', () => {
    catchDtl(() => loadDataset(join(tempFiles(), 'nope')), 'NOT_FOUND');
    catchDtl(() => loadDataset(tempFiles({ 'test.txt': '0 1\n' })), 'NOT_FOUND');
    const { data, report } = loadDataset(tempFiles({ 'train.txt': '0 1\n', 'test.txt': '' }));
    expect(data.test!.indices.length).toBe(0);
    expect(report.warnings.join()).toMatch(/test\.txt is empty/);
  });

  describe('split overlaps', () => {
    const files = {
      'train.txt': '0 1 2\n1 1 5\n',
      'valid.txt': '0 2 3\n', // (0,2) is in train, (0,3) in test
      'test.txt': '0 3 4\n1 1\n', // (1,1) is in train
    };

    it('are counted and kept under "keep"', () => {
      const { data, report } = loadDataset(tempFiles(files), { overlap: 'keep' });
      expect(report.overlaps).toEqual({ trainValid: 1, trainTest: 1, validTest: 1 });
      expect(report.overlapDropped).toEqual({ valid: 0, test: 0 });
      expect(rows(data.valid)![0]).toEqual([2, 3]);
      expect(rows(data.test)).toEqual([[3, 4], [1]]);
    });

    it('are removed from eval splits under the default "drop-from-eval" (valid yields to test)', () => {
      const { data, report } = loadDataset(tempFiles(files));
      expect(report.overlapPolicy).toBe('drop-from-eval');
      expect(report.overlaps).toEqual({ trainValid: 1, trainTest: 1, validTest: 1 });
      expect(report.overlapDropped).toEqual({ valid: 2, test: 1 });
      expect(rows(data.valid)).toEqual([[], []]);
      expect(rows(data.test)).toEqual([[3, 4], []]);
      expect(rows(data.train)).toEqual([[1, 2], [1, 5]]);
      expect(report.splits.test!.interactions).toBe(2);
    });

    it('throw INVALID_DATA at the overlapping line under "error"', () => {
      const dir = tempFiles(files);
      const e = catchDtl(() => loadDataset(dir, { overlap: 'error' }));
      expect(e.message).toBe(`${join(dir, 'valid.txt')}:1: pair (user 0, item 2) is also in train (overlap policy 'error')`);
      const dir2 = tempFiles({ 'train.txt': '0 1\n1 1 5\n', 'test.txt': '0 3\n\n1 4 5\n' });
      expect(catchDtl(() => loadDataset(dir2, { overlap: 'error' })).message).toContain(`${join(dir2, 'test.txt')}:3: pair (user 1, item 5)`);
      const dir3 = tempFiles({ 'train.txt': '0 1\n', 'valid.txt': '0 2\n', 'test.txt': '0 2\n' });
      expect(catchDtl(() => loadDataset(dir3, { overlap: 'error' })).message).toContain(`${join(dir3, 'test.txt')}:1: pair (user 0, item 2) is also in valid`);
    });
  });

  describe('cold users and items', () => {
    const files = {
      'train.txt': '0 1\n1 2\n',
      'valid.txt': '1 3\n',
      'test.txt': '0 3 2\n2 1\n', // item 3 and user 2 have no train interaction
      'stats.json': '{"n_users":3,"n_items":4}',
    };

    it('are counted and kept by default', () => {
      const { data, report } = loadDataset(tempFiles(files));
      expect(report.cold.test).toEqual({ users: 1, items: 1, userInteractions: 1, itemInteractions: 1, interactions: 2 });
      expect(report.cold.valid).toEqual({ users: 0, items: 1, userInteractions: 0, itemInteractions: 1, interactions: 1 });
      expect(report.coldDropped).toEqual({ valid: 0, test: 0 });
      expect(data.test!.indices.length).toBe(3);
    });

    it('are dropped from eval splits under "drop" (and still counted)', () => {
      const { data, report } = loadDataset(tempFiles(files), { cold: 'drop' });
      expect(report.cold.test!.interactions).toBe(2);
      expect(report.coldDropped).toEqual({ valid: 1, test: 2 });
      expect(rows(data.test)).toEqual([[2], [], []]);
      expect(data.valid!.indices.length).toBe(0);
    });
  });

  describe('carveValid', () => {
    const train = Array.from({ length: 6 }, (_, u) => `${u} ${Array.from({ length: 10 }, (_, k) => k + u).join(' ')}`).join('\n');

    it('carves valid from train when there is no valid.txt', () => {
      const dir = tempFiles({ 'train.txt': train, 'test.txt': '0 20\n' });
      const plain = loadDataset(dir);
      const { data, report } = loadDataset(dir, { carveValid: { fraction: 0.2, seed: 5 } });
      expect(report.validSource).toBe('carved');
      expect(report.carve).toEqual({ fraction: 0.2, seed: 5, minTrainPerUser: 1, moved: 12 });
      expect(data.valid!.indices.length).toBe(12);
      expect(report.splits.valid!.source).toBe('carved from train');
      expect(csrUnion(data.train, data.valid!)).toEqual(plain.data.train);
      expect(report.overlaps.trainValid).toBe(0);
    });

    it('keeps valid.txt unless forced', () => {
      const dir = tempFiles({ 'train.txt': train, 'valid.txt': '0 30\n' });
      const kept = loadDataset(dir, { carveValid: { seed: 1 } });
      expect(kept.report.validSource).toBe('file');
      expect(rows(kept.data.valid)![0]).toEqual([30]);
      const forced = loadDataset(dir, { carveValid: { seed: 1, force: true } });
      expect(forced.report.validSource).toBe('carved');
      expect(forced.report.warnings.join()).toMatch(/ignored/);
      expect(rows(forced.data.valid)![0]).not.toContain(30);
    });
  });

  it('rejects unknown policies', () => {
    const dir = tempFiles({ 'train.txt': '0 1\n' });
    catchDtl(() => loadDataset(dir, { overlap: 'maybe' as never }), 'INVALID_ARGUMENT');
    catchDtl(() => loadDataset(dir, { cold: 'freeze' as never }), 'INVALID_ARGUMENT');
  });
});
