import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRng, csrFromPairs, csrHas } from '@dtl/core';
import type { InteractionData } from '@dtl/core';
import { writeIdMapFile, writeLightGcnDataset, writeMatrixText } from '@dtl/data';
import { buildProgram } from '../cli.ts';
import { loadTrainingData } from '../training.ts';
import { formatEmbeddingCsv, formatNpy } from './export-emb.ts';

const N_USERS = 30;
const N_ITEMS = 25;
let dir: string;
let info: string[] = [];

/** A dataset (user 29 has no train row) and a finished-looking run over it with random embeddings. */
function makeRun(name: string, opts: { valid: boolean; carveValid: number; idMaps: boolean }): string {
  const rng = createRng(3);
  const split: Record<'train' | 'valid' | 'test', [number[], number[]]> = { train: [[], []], valid: [[], []], test: [[], []] };
  for (let u = 0; u < N_USERS; u++) {
    const seen = new Set<number>();
    while (seen.size < 8) seen.add(rng.int(N_ITEMS));
    [...seen].forEach((i, n) => {
      const s = n < 6 ? 'train' : n === 6 ? 'valid' : 'test';
      if (u === N_USERS - 1 && s === 'train') return;
      if (s === 'valid' && !opts.valid) return;
      split[s][0].push(u);
      split[s][1].push(i);
    });
  }
  const csr = (s: 'train' | 'valid' | 'test') => csrFromPairs(N_USERS, N_ITEMS, split[s][0], split[s][1]).csr;
  const data: InteractionData = { name, nUsers: N_USERS, nItems: N_ITEMS, train: csr('train'), valid: opts.valid ? csr('valid') : undefined, test: csr('test') };
  const dataDir = join(dir, `${name}-data`);
  writeLightGcnDataset(dataDir, data);
  if (opts.idMaps) {
    writeIdMapFile(join(dataDir, 'users.tsv'), Array.from({ length: N_USERS }, (_, u) => `user,${u}`));
    writeIdMapFile(join(dataDir, 'items.tsv'), Array.from({ length: N_ITEMS }, (_, i) => `item-${i}`));
  }
  const runDir = join(dir, name);
  mkdirSync(join(runDir, 'embeddings'), { recursive: true });
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ format: 'dtl-train-run', config: { data: dataDir, carveValid: opts.carveValid, seed: 5 } }));
  const m = (rows: number) => ({ rows, dim: 4, data: Float32Array.from({ length: rows * 4 }, () => rng.normal()) });
  writeMatrixText(join(runDir, 'embeddings', 'user.txt'), m(N_USERS));
  writeMatrixText(join(runDir, 'embeddings', 'item.txt'), m(N_ITEMS));
  return runDir;
}

async function recommend(args: string[]): Promise<Array<{ user: string; item: string; rank: string; score: string; source: string }>> {
  info = [];
  const out = join(dir, `rec-${Math.random().toString(36).slice(2)}.csv`);
  await buildProgram().parseAsync(['node', 'dtl', 'recommend', ...args, '--out', out]);
  const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
  expect(header).toBe('user,item,rank,score,source');
  return rows.map((line) => {
    const [user, item, rank, score, source] = splitCsvLine(line);
    return { user: user!, item: item!, rank: rank!, score: score!, source: source! };
  });
}

/** One RFC 4180 line (ids here hold commas, so they are quoted). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let k = 0; k < line.length; k++) {
    const c = line[k]!;
    if (quoted) {
      if (c === '"' && line[k + 1] === '"') (field += '"', k++);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (out.push(field), (field = ''));
    else field += c;
  }
  out.push(field);
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dtl-recommend-'));
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (info.push(String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (info.push(String(c)), true));
});
afterAll(() => vi.restoreAllMocks());

describe('dtl recommend', () => {
  it('writes original ids (CSV-quoted), masks train, and labels the popularity fallback of a user with no training data', async () => {
    const run = makeRun('maps', { valid: true, carveValid: 0, idMaps: true });
    const rows = await recommend(['--run', run, '--k', '5']);
    const { data } = loadTrainingData(join(dir, 'maps-data'), 0, 5);
    expect(rows.length).toBe(N_USERS * 5);
    for (const r of rows) {
      const u = Number(r.user.split(',')[1]);
      const i = Number(r.item.replace('item-', ''));
      expect(r.user).toBe(`user,${u}`);
      if (u === N_USERS - 1) expect(r.source).toBe('popularity');
      else {
        expect(r.source).toBe('model');
        expect(csrHas(data.train, u, i)).toBe(false);
      }
    }
    expect(info.join('')).toMatch(/1 user\(s\) have no training interaction: recommended the 5 most popular/);
  });

  it('--exclude-train false lets training items in; --users limits the output and reports unknown ids', async () => {
    const run = makeRun('nomask', { valid: true, carveValid: 0, idMaps: false });
    const { data } = loadTrainingData(join(dir, 'nomask-data'), 0, 5);
    const all = await recommend(['--run', run, '--k', String(N_ITEMS), '--exclude-train', 'false']);
    expect(all.filter((r) => r.user === '0').length).toBe(N_ITEMS);
    expect(all.some((r) => csrHas(data.train, Number(r.user), Number(r.item)))).toBe(true);
    const list = join(dir, 'users.txt');
    writeFileSync(list, '3\n\n0\nghost\n');
    const some = await recommend(['--run', run, '--k', '2', '--users', list]);
    expect(some.map((r) => `${r.user}:${r.source}`)).toEqual(['3:model', '3:model', '0:model', '0:model', 'ghost:popularity', 'ghost:popularity']);
    expect(info.join('')).toMatch(/1 --users id\(s\) are not in the dataset \(no id maps: ids are user indices\), e\.g\. "ghost"/);
  });

  it('loads the run\'s data as dtl train did: a carved validation split stays masked (it is training data of the folder)', async () => {
    const run = makeRun('carved', { valid: false, carveValid: 0.3, idMaps: false });
    const { data, validCarved } = loadTrainingData(join(dir, 'carved-data'), 0.3, 5);
    expect(validCarved).toBe(true);
    const rows = await recommend(['--run', run, '--k', '10']);
    for (const r of rows) if (r.source === 'model') expect(csrHas(data.train, +r.user, +r.item) || csrHas(data.valid!, +r.user, +r.item)).toBe(false);
  });
});

describe('export-emb formats', () => {
  const m = { rows: 3, dim: 2, data: Float32Array.from([1.5, -2, 0.25, 3e-8, 7, -0]) };

  it('npy: a v1.0 header padded to 64 bytes, little-endian float32 data (numpy.load reads it when python3+numpy exist)', () => {
    const npy = formatNpy(m);
    expect(npy.subarray(0, 8).toString('latin1')).toBe('\x93NUMPY\x01\x00');
    const headerLen = npy.readUInt16LE(8);
    expect((10 + headerLen) % 64).toBe(0);
    const header = npy.subarray(10, 10 + headerLen).toString('latin1');
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3, 2\), \} *\n$/);
    expect(npy.length).toBe(10 + headerLen + 6 * 4);
    for (let k = 0; k < 6; k++) expect(npy.readFloatLE(10 + headerLen + 4 * k)).toBe(m.data[k]);
    const path = join(dir, 'm.npy');
    writeFileSync(path, npy);
    const py = spawnSync('python3', ['-c', `import numpy as np; a = np.load(${JSON.stringify(path)}); print(a.dtype, a.shape, a.ravel().tolist())`], { encoding: 'utf8' });
    if (py.status === 0) expect(py.stdout.trim()).toBe('float32 (3, 2) [1.5, -2.0, 0.25, 2.999999892949745e-08, 7.0, -0.0]');
  });

  it('csv: id,e0,… with the original ids', () => {
    expect(formatEmbeddingCsv(m, ['a', 'b,c', 'd'])).toBe('id,e0,e1\na,1.5,-2\n"b,c",0.25,2.99999989e-8\nd,7,-0\n');
  });
});
