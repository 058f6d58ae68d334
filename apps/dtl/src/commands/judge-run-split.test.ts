/**
 * Issue 17: `dtl judge --run R` must judge on the split the run trained on. A run on a dataset
 * without valid.txt carved its validation from train (`carveValid`, `seed` in run.json); judging it
 * must give exactly what judging a twin run does whose dataset folder holds that carve as files.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import type { Csr } from '@dtl/core';
import { loadDataset } from '@dtl/data';

const ROOT = resolve(import.meta.dirname, '../../../..');
const N_USERS = 24;
const N_ITEMS = 40;
const CARVE = 0.2;
const SEED = 7;

const csrLines = (csr: Csr): string =>
  Array.from({ length: csr.nRows }, (_, u) => [u, ...csr.indices.subarray(csr.indptr[u]!, csr.indptr[u + 1]!)].join(' ')).join('\n') + '\n';

function writeRunFiles(runDir: string, dataDir: string, config: Record<string, unknown>, rngSeed: number): void {
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ format: 'dtl-train-run', version: 1, data: dataDir, config: { data: dataDir, ...config }, fingerprint: 'x' }));
  const rng = createRng(rngSeed);
  mkdirSync(join(runDir, 'embeddings'));
  const matrix = (rows: number) => Array.from({ length: rows }, () => Array.from({ length: 4 }, () => rng.normal().toFixed(4)).join(' ')).join('\n') + '\n';
  writeFileSync(join(runDir, 'embeddings', 'user.txt'), matrix(N_USERS));
  writeFileSync(join(runDir, 'embeddings', 'item.txt'), matrix(N_ITEMS));
  mkdirSync(join(runDir, 'trees'));
  for (const view of ['co', 'se']) {
    const lines = Array.from({ length: N_ITEMS }, (_, i) => `${i}: ${Array.from({ length: 3 }, () => rng.int(3)).join('-')}`);
    writeFileSync(join(runDir, 'trees', `codes-${view}.txt`), lines.join('\n') + '\n');
  }
}

function runDtl(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--conditions=@dtl/source', '--import', 'tsx', 'apps/dtl/src/bin.ts', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const root = mkdtempSync(join(tmpdir(), 'dtl-judge-split-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('dtl judge --run on a carved-validation run (issue 17)', () => {
  it('judges on the run\'s own split: same candidates, labels and metrics as the carve written out as files', async () => {
    // A dataset without valid.txt: every item appears in train so both folders have the same item range.
    const rng = createRng(3);
    const raw = join(root, 'raw');
    mkdirSync(raw);
    const train: string[] = [];
    const test: string[] = [];
    for (let u = 0; u < N_USERS; u++) {
      const items = new Set<number>([u % N_ITEMS, (u + N_USERS) % N_ITEMS]);
      while (items.size < 12) items.add(rng.int(N_ITEMS));
      const list = [...items];
      train.push(`${u} ${list.slice(0, 11).join(' ')}`);
      test.push(`${u} ${list[11]}`);
    }
    writeFileSync(join(raw, 'train.txt'), train.join('\n') + '\n');
    writeFileSync(join(raw, 'test.txt'), test.join('\n') + '\n');

    // The twin: the same carve `dtl train --carve-valid` makes, as train/valid/test files.
    const { data: carved, report } = loadDataset(raw, { carveValid: { fraction: CARVE, seed: SEED } });
    expect(report.validSource).toBe('carved');
    const twin = join(root, 'twin-data');
    mkdirSync(twin);
    writeFileSync(join(twin, 'train.txt'), csrLines(carved.train));
    writeFileSync(join(twin, 'valid.txt'), csrLines(carved.valid!));
    writeFileSync(join(twin, 'test.txt'), csrLines(carved.test!));

    const runA = join(root, 'run-carved');
    const runB = join(root, 'run-twin');
    writeRunFiles(runA, raw, { carveValid: CARVE, seed: SEED }, 11);
    writeRunFiles(runB, twin, { carveValid: CARVE, seed: SEED }, 11);

    const judge = (run: string) => runDtl(['judge', '--run', run, '--candidates', '10', '--threshold', '0.5', '--json']);
    const [a, b] = await Promise.all([judge(runA), judge(runB)]);
    expect(a.stderr).not.toMatch(/Error/);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const last = (s: string) => JSON.parse(s.trim().split('\n').at(-1)!) as Record<string, unknown>;
    const ra = last(a.stdout);
    const rb = last(b.stdout);
    for (const key of ['candidates', 'positives', 'positive_rate', 'precision', 'recall', 'base_rate']) expect([key, ra[key]]).toEqual([key, rb[key]]);
    const pairsOf = (run: string) => (JSON.parse(readFileSync(join(run, 'false-negatives.json'), 'utf8')) as { pairs: unknown }).pairs;
    expect(pairsOf(runA)).toEqual(pairsOf(runB));
  }, 60_000);
});
