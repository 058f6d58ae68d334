import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import { loadRunDataset, readResultJson, readRunEmbeddings, readRunJson, runPaths } from './index.ts';
import { medianOf } from '../training.ts';

const root = mkdtempSync(join(tmpdir(), 'dtl-run-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dataset(dir: string, withValid: boolean): void {
  mkdirSync(dir, { recursive: true });
  const rng = createRng(5);
  const train: string[] = [];
  const valid: string[] = [];
  const test: string[] = [];
  for (let u = 0; u < 10; u++) {
    const items = new Set<number>([u, u + 10]);
    while (items.size < 9) items.add(rng.int(20));
    const l = [...items];
    train.push(`${u} ${l.slice(0, 7).join(' ')}`);
    valid.push(`${u} ${l[7]}`);
    test.push(`${u} ${l[8]}`);
  }
  writeFileSync(join(dir, 'train.txt'), train.join('\n') + '\n');
  if (withValid) writeFileSync(join(dir, 'valid.txt'), valid.join('\n') + '\n');
  writeFileSync(join(dir, 'test.txt'), test.join('\n') + '\n');
}

describe('run-dir: run.json and the dataset rule', () => {
  it('loadRunDataset carves validation exactly as config.carveValid/seed say, and not when the folder has valid.txt', () => {
    const data = join(root, 'no-valid');
    dataset(data, false);
    const run = (name: string, config: Record<string, unknown>) => {
      const dir = join(root, name);
      mkdirSync(dir);
      writeFileSync(runPaths(dir).runJson, JSON.stringify({ format: 'dtl-train-run', version: 1, data, config: { data, ...config } }));
      return dir;
    };
    const a = loadRunDataset(run('r1', { carveValid: 0.3, seed: 1 }));
    const b = loadRunDataset(run('r2', { carveValid: 0.3, seed: 2 }));
    const none = loadRunDataset(run('r3', { carveValid: 0, seed: 1 }));
    expect(a.validCarved).toBe(true);
    expect(a.data.valid!.indices.length).toBeGreaterThan(0);
    expect(a.data.train.indices.length + a.data.valid!.indices.length).toBe(70);
    expect([...a.data.valid!.indices]).not.toEqual([...b.data.valid!.indices]); // the seed is used
    expect(none.validCarved).toBe(false);
    expect(none.data.valid).toBeUndefined();
    expect(none.data.train.indices.length).toBe(70);
    // A relative data path that does not exist from the cwd is taken relative to the run directory.
    const rel = join(root, 'rel');
    dataset(join(rel, 'd'), true);
    writeFileSync(runPaths(rel).runJson, JSON.stringify({ data: 'd', config: { carveValid: 0.3, seed: 1 } }));
    const r = loadRunDataset(rel);
    expect(r.spec.dir).toBe(join(rel, 'd'));
    expect(r.validCarved).toBe(false);
  });

  it('readRunJson: missing file is NOT_FOUND, bad JSON and a missing data folder are INVALID_DATA naming run.json', () => {
    const dir = join(root, 'bad');
    mkdirSync(dir);
    const file = runPaths(dir).runJson;
    expect(() => readRunJson(dir)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    writeFileSync(file, '{ nope');
    expect(() => readRunJson(dir)).toThrow(expect.objectContaining({ code: 'INVALID_DATA', location: { file } }));
    writeFileSync(file, JSON.stringify({ config: {} }));
    expect(() => readRunJson(dir)).toThrow(/no "data" dataset folder/);
    writeFileSync(file, JSON.stringify({ config: 3, data: 'x' }));
    expect(() => readRunJson(dir)).toThrow(/"config" is not an object/);
  });

  it('readResultJson: absent is undefined (unfinished); wrong types are INVALID_DATA naming result.json', () => {
    const dir = join(root, 'res');
    mkdirSync(dir);
    expect(readResultJson(dir)).toBeUndefined();
    writeFileSync(runPaths(dir).resultJson, JSON.stringify({ best_epoch: '3', epochs_run: 4 }));
    expect(() => readResultJson(dir)).toThrow(expect.objectContaining({ code: 'INVALID_DATA', location: { file: runPaths(dir).resultJson } }));
  });

  it('readRunEmbeddings checks the shape against the dataset', () => {
    const dir = join(root, 'emb');
    mkdirSync(join(dir, 'embeddings'), { recursive: true });
    writeFileSync(runPaths(dir).userEmbeddings, '1 2\n3 4\n');
    writeFileSync(runPaths(dir).itemEmbeddings, '1 2\n');
    expect(readRunEmbeddings(dir, { nUsers: 2, nItems: 1 }).users.rows).toBe(2);
    expect(() => readRunEmbeddings(dir, { nUsers: 2, nItems: 3 })).toThrow(/dataset has 2 users × 3 items/);
    expect(() => readRunEmbeddings(join(root, 'nothing'))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('medianOf (median_seconds_per_epoch): odd, even, empty', () => {
    expect(medianOf([5, 1, 3])).toBe(3);
    expect(medianOf([4, 1, 3, 10])).toBe(3.5);
    expect(medianOf([])).toBe(0);
  });
});
