// The fuzz suite of issue 16: seeded random mutations of valid inputs — dataset files, run configs,
// embedding files, code files, checkpoints and LLM replies. Invariant for every case: success with
// correct output (checked against a reference reading of the same bytes, or equality with the
// unmutated result) or a DtlError with a clear message; never another exception, a hang, silent zeros
// or memory beyond a bound. Fully deterministic: FUZZ_SEED and the case number replay any case.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DtlError, createRng } from '@dtl/core';
import type { Rng } from '@dtl/core';
import { formatLightGcn, formatMatrixText, generateSynthetic, loadDataset, parseLightGcn, parseMatrixText, parsePairs } from '@dtl/data';
import { parseJudgments } from '@dtl/llm-fn';
import { createMfModel, fit, readCheckpoint } from '@dtl/models';
import { readPipelineConfig } from '../pipeline/config.ts';
import { validatePipelineSettings } from '../pipeline/validate-config.ts';
import { readCodesFile } from '../code-files.ts';
import { runTraining } from '../training.ts';
import { DEFAULT_TRAIN_CONFIG } from '../train-defaults.ts';
import { FuzzTally, mutate } from './mutate.ts';

const FUZZ_SEED = 16;
const root = mkdtempSync(join(tmpdir(), 'dtl-fuzz-'));
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const tallies: FuzzTally[] = [];
afterAll(() => {
  // The counts docs/reliability.md quotes.
  console.log(['', ...tallies.map((t) => t.line())].join('\n'));
  rmSync(root, { recursive: true, force: true });
});

/** Memory bound of the whole suite: a reader that allocates by a hostile id range would blow it. */
const RSS_BOUND = 1024 * 2 ** 20;
const rss0 = process.memoryUsage().rss;
function checkMemory(): void {
  expect(process.memoryUsage().rss - rss0).toBeLessThan(RSS_BOUND);
}
/** No case may take long: hostile inputs must not make a reader quadratic. */
const CASE_MS = 2000;

/** A clear DtlError: a code, a non-empty message without invisible characters, where the input names a file. */
function expectClearError(error: unknown, file?: string): string {
  if (!(error instanceof DtlError)) throw new Error(`not a DtlError: ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`);
  expect(error.message.length).toBeGreaterThan(10);
  expect(error.message).not.toMatch(/undefined|\[object Object\]/);
  expect(error.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\ufeff\u200b\ufffd]/); // tabs and line breaks are fine
  if (file !== undefined && error.code === 'INVALID_DATA') expect(error.message).toContain(file);
  return `DtlError ${error.code}`;
}

/** Runs the cases of one target; `run` returns the outcome label of a success (after its checks). */
function fuzz(target: string, base: Buffer | (() => Buffer), cases: number, run: (bytes: Buffer, rng: Rng, k: number) => string | undefined, file?: string): FuzzTally {
  const tally = new FuzzTally(target);
  tallies.push(tally);
  const rng = createRng(FUZZ_SEED).fork(target);
  for (let k = 0; k < cases; k++) {
    const caseRng = rng.fork(k);
    const input = typeof base === 'function' ? base() : base;
    const { bytes, applied } = mutate(input, caseRng);
    const t0 = performance.now();
    let outcome: string;
    try {
      outcome = run(bytes, caseRng, k) ?? 'ok';
    } catch (error) {
      if (error instanceof Error && error.name === 'AssertionError') throw annotate(error, target, k, applied);
      try {
        outcome = expectClearError(error, file);
      } catch (bad) {
        throw annotate(bad as Error, target, k, applied);
      }
    }
    const ms = performance.now() - t0;
    if (ms > CASE_MS) throw new Error(`fuzz ${target} case ${k} (${applied.join('+')}) took ${ms.toFixed(0)} ms`);
    tally.count(outcome, ms);
  }
  checkMemory();
  return tally;
}

function annotate(error: Error, target: string, k: number, applied: string[]): Error {
  error.message = `fuzz ${target} case ${k} (seed ${FUZZ_SEED}, mutations ${applied.join('+')}): ${error.message}`;
  return error;
}

// ---- reference readings (the "correct output" of a success) ------------------------------------

/** The LightGCN layout read the slow obvious way: undefined where the reader must fail. */
function referenceLightGcn(text: string, pairsOnly: boolean): { users: number[]; items: number[]; lineUsers: number[] } | undefined {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const users: number[] = [];
  const items: number[] = [];
  const lineUsers: number[] = [];
  for (const line of body.split('\n')) {
    const tokens = line.split(/[ \t\r]+/).filter((t) => t !== '');
    if (tokens.length === 0) continue;
    if (!tokens.every((t) => /^\d+$/.test(t) && Number(t) <= 0x7fffffff)) return undefined;
    if (pairsOnly && tokens.length !== 2) return undefined;
    lineUsers.push(Number(tokens[0]));
    for (const t of tokens.slice(1)) {
      users.push(Number(tokens[0]));
      items.push(Number(t));
    }
  }
  return { users, items, lineUsers };
}

// ---- the base inputs ---------------------------------------------------------------------------

const synthetic = generateSynthetic({ preset: 'tiny', seed: 11 }).data;
/** The first `n` lines of a split (small inputs keep every case fast; the structure is the real one). */
const head = (text: string, n: number): string => text.split('\n').slice(0, n).join('\n') + '\n';
const trainText = head(formatLightGcn(synthetic.train), 60);
const validText = head(formatLightGcn(synthetic.valid!), 60);
const testText = head(formatLightGcn(synthetic.test!), 60);

describe('fuzz: dataset files', () => {
  it('LightGCN-layout reader: same pairs as the reference reading, or a DtlError naming file:line', () => {
    const t = fuzz('lightgcn-reader', Buffer.from(trainText), 600, (bytes) => {
      const text = bytes.toString('utf8');
      const ref = referenceLightGcn(text, false);
      let got;
      try {
        got = parseLightGcn(text, 'train.txt');
      } catch (error) {
        if (ref && ref.users.length > 0) throw new Error(`rejected input the reference reads: ${(error as Error).message}`);
        throw error;
      }
      expect(ref).toBeDefined();
      expect(Array.from(got.users)).toEqual(ref!.users);
      expect(Array.from(got.items)).toEqual(ref!.items);
      return 'ok';
    }, 'train.txt');
    expect(t.cases).toBe(600);
  });

  it('pairs reader: same pairs as the reference reading, or a DtlError naming file:line', () => {
    const pairsText = synthetic.train.indices.slice(0, 300).reduce((s, i, k) => s + `${k % 40} ${i}\n`, '');
    fuzz('pairs-reader', Buffer.from(pairsText), 300, (bytes) => {
      const text = bytes.toString('utf8');
      const ref = referenceLightGcn(text, true);
      let got;
      try {
        got = parsePairs(text, 'pairs.txt');
      } catch (error) {
        if (ref && ref.users.length > 0) throw new Error(`rejected input the reference reads: ${(error as Error).message}`);
        throw error;
      }
      expect(Array.from(got.users)).toEqual(ref!.users);
      expect(Array.from(got.items)).toEqual(ref!.items);
      return 'ok';
    }, 'pairs.txt');
  });

  it('loadDataset on a folder with one mutated file: dense sizes, consistent CSR, or a DtlError', () => {
    const files = ['train.txt', 'valid.txt', 'test.txt', 'stats.json'] as const;
    const base: Record<(typeof files)[number], string> = { 'train.txt': trainText, 'valid.txt': validText, 'test.txt': testText, 'stats.json': JSON.stringify({ name: 'fuzz', n_users: synthetic.nUsers, n_items: synthetic.nItems }) };
    let k0 = 0;
    fuzz('load-dataset', Buffer.alloc(0), 250, (_unused, rng, k) => {
      const dir = join(root, `ds-${k0++}`);
      mkdirSync(dir);
      const target = files[rng.int(files.length)]!;
      for (const f of files) writeFileSync(join(dir, f), f === target ? mutate(Buffer.from(base[f]), rng.fork('file')).bytes : base[f]);
      if (rng.int(4) === 0) rmSync(join(dir, 'stats.json'));
      const { data, report } = loadDataset(dir, rng.int(2) ? { carveValid: { seed: k } } : {});
      const ref = (['train.txt', 'valid.txt', 'test.txt'] as const).map((f) => referenceLightGcn(readFileSync(join(dir, f), 'utf8'), false)!);
      const unique = new Set(ref[0]!.users.map((u, i) => `${u} ${ref[0]!.items[i]}`)).size;
      expect(data.train.indices.length + (report.carve?.moved ?? 0)).toBe(unique);
      // Memory is bounded by the data: the id ranges obey the dense-id rule over all splits.
      expect(data.nUsers).toBeLessThanOrEqual(4 * new Set(ref.flatMap((r) => r.lineUsers)).size + 1024);
      expect(data.nItems).toBeLessThanOrEqual(4 * new Set(ref.flatMap((r) => r.items)).size + 1024);
      for (const split of [data.train, data.valid, data.test]) {
        if (!split) continue;
        for (let u = 0; u < split.nRows; u++) for (let p = split.indptr[u]! + 1; p < split.indptr[u + 1]!; p++) expect(split.indices[p]!).toBeGreaterThan(split.indices[p - 1]!);
        for (const i of split.indices) expect(i).toBeLessThan(data.nItems);
      }
      rmSync(dir, { recursive: true });
      return `ok (${target} mutated)`;
    });
  });

  it('runTraining on mutated datasets: finite results, test absent (null) exactly when the test split is empty, or a DtlError', async () => {
    const tally = new FuzzTally('train-on-mutated-data');
    tallies.push(tally);
    const rng = createRng(FUZZ_SEED).fork('train');
    for (let k = 0; k < 12; k++) {
      const dir = join(root, `train-data-${k}`);
      mkdirSync(dir);
      const r = rng.fork(k);
      const target = ['train.txt', 'valid.txt', 'test.txt'][k % 3]!;
      const texts: Record<string, string> = { 'train.txt': trainText, 'valid.txt': validText, 'test.txt': testText };
      for (const [f, text] of Object.entries(texts)) writeFileSync(join(dir, f), f === target ? mutate(Buffer.from(text), r).bytes : text);
      const t0 = performance.now();
      let outcome: string;
      try {
        const s = await runTraining({ ...DEFAULT_TRAIN_CONFIG, data: dir, dim: 4, epochs: 2, evalEvery: 1, batchSize: 256 }, join(root, `train-run-${k}`), { threads: 1 });
        const testEmpty = loadDataset(dir).data.test?.indices.length === 0;
        if (testEmpty) expect(s.test).toBeNull();
        else expect(s.test?.['recall@20']).toBeTypeOf('number');
        for (const h of s.history) expect(Number.isFinite(h.loss)).toBe(true);
        outcome = testEmpty ? 'ok (test absent)' : 'ok';
      } catch (error) {
        outcome = expectClearError(error, dir);
      }
      tally.count(outcome, performance.now() - t0);
    }
    checkMemory();
  }, 60_000);
});

describe('fuzz: run configs (YAML)', () => {
  const yaml = [
    'protocol: clean',
    'seed: 7',
    'carveValid: 0.1',
    'pretrain: { model: lightgcn, epochs: 300, lr: 0.001, dim: 64 }',
    'trees:',
    '  builder: spectral-kmeans',
    '  k: 4',
    '  leafSize: 30',
    'judge: { llm: rule, threshold: 1, candidates: 20 }',
    'fn: { use: positive, weight: 0.5 }',
    'train:',
    '  model: lightgcn',
    '  sampler: dtl',
    '  alphaCo: 0.1',
    '  alphaSe: 0.3',
    '  candidates: 10',
    '',
  ].join('\n');

  it('readPipelineConfig + validatePipelineSettings: a valid config that reads back the same, or a DtlError naming the file', () => {
    const file = join(root, 'run.yaml');
    fuzz('run-config', Buffer.from(yaml), 400, (bytes) => {
      writeFileSync(file, bytes);
      const config = readPipelineConfig(file);
      validatePipelineSettings(config, file);
      writeFileSync(file, JSON.stringify(config));
      expect(readPipelineConfig(file)).toEqual(config);
      return 'ok';
    }, 'run.yaml');
  });
});

describe('fuzz: embedding and code files', () => {
  const rows = 30;
  const dim = 4;
  const values = Float32Array.from({ length: rows * dim }, (_, i) => Math.sin(i) * 3);
  const matrix = formatMatrixText({ rows, dim, data: values });

  it('embedding reader: finite float32 rows of one width matching a reference reading, or a DtlError naming file:line', () => {
    const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
    fuzz('embedding-file', Buffer.from(matrix), 400, (bytes) => {
      const text = bytes.toString('utf8');
      const m = parseMatrixText(text, 'item.txt');
      const lines = text.split('\n');
      while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
      const ref = lines.map((l) => l.trim().split(/[ \t]+/));
      expect(m.rows).toBe(ref.length);
      expect(ref.every((r) => r.length === m.dim && r.every((t) => FLOAT.test(t)))).toBe(true);
      expect(Array.from(m.data)).toEqual(ref.flat().map((t) => Math.fround(Number(t))));
      expect(m.data.every((x) => Number.isFinite(x))).toBe(true);
      return 'ok';
    }, 'item.txt');
  });

  it('code-file reader of the app: codes equal to a reference reading, or a DtlError naming file:line', () => {
    const nItems = 40;
    const codes = Array.from({ length: nItems }, (_, i) => `${i}: ${i % 4}-${(i >> 2) % 3}-${i % 7}`).join('\n') + '\n';
    const file = join(root, 'codes-co.txt');
    fuzz('code-file', Buffer.from(codes), 400, (bytes) => {
      writeFileSync(file, bytes);
      const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
      const codebook = readCodesFile(file, { nItems });
      for (const line of text.split(/\r?\n/)) {
        const m = /^(-?\d+)\s*:\s*(.*)$/.exec(line.trim());
        if (!m) continue;
        const item = Number(m[1]);
        const path = m[2]!.trim() === '' ? [] : m[2]!.split('-').map((p) => Number(p.trim()));
        const got = Array.from(codebook.paths.subarray(codebook.offsets[item]!, codebook.offsets[item + 1]!));
        expect(got).toEqual(path);
      }
      return 'ok';
    }, file);
  });
});

describe('fuzz: checkpoints', () => {
  const data = generateSynthetic({ preset: 'tiny', seed: 5 }).data;
  const dir = join(root, 'ckpt');
  const make = () => createMfModel({ nUsers: data.nUsers, nItems: data.nItems, dim: 4, seed: 3 });
  const fitOpts = { train: data.train, epochs: 2, batchSize: 512, seed: 9, evalEvery: 1, evaluate: async () => ({ 'recall@20': 0.5 }), fingerprint: 'fuzz' };

  it('readCheckpoint: the exact original contents, or a DtlError naming the file; fit resumes identically or refuses', async () => {
    // The checkpoint of epoch 1 of a 2-epoch run (copied when epoch 2 ends, before it is overwritten).
    const file = join(dir, 'checkpoint.bin');
    let original = Buffer.alloc(0);
    await fit({ ...fitOpts, model: make(), checkpointDir: dir, onEpoch: (e) => { if (e.epoch === 2) original = readFileSync(file); } });
    writeFileSync(join(root, 'epoch1.bin'), original);
    const clean = readCheckpoint(join(root, 'epoch1.bin'));
    mkdirSync(join(root, 'ckpt-clean'), { recursive: true });
    writeFileSync(join(root, 'ckpt-clean', 'checkpoint.bin'), original);
    const resumedClean = await fit({ ...fitOpts, model: make(), checkpointDir: join(root, 'ckpt-clean') });
    expect(resumedClean.resumedFromEpoch).toBe(1);
    const mutatedFile = join(root, 'ckpt-m', 'checkpoint.bin');
    mkdirSync(dirname(mutatedFile), { recursive: true });
    fuzz('checkpoint-read', original, 400, (bytes) => {
      writeFileSync(mutatedFile, bytes);
      const got = readCheckpoint(mutatedFile);
      expect(got.meta).toEqual(clean.meta);
      expect(Object.keys(got.tensors)).toEqual(Object.keys(clean.tensors));
      for (const [name, t] of Object.entries(clean.tensors)) expect(Buffer.from(got.tensors[name]!.buffer).equals(Buffer.from(t.buffer))).toBe(true);
      return 'ok (content intact)';
    }, mutatedFile);
    // Resume through fit() from 25 mutated checkpoints: the same result as from the intact one, or a DtlError.
    const tally = new FuzzTally('checkpoint-resume');
    tallies.push(tally);
    const rng = createRng(FUZZ_SEED).fork('resume');
    for (let k = 0; k < 25; k++) {
      writeFileSync(mutatedFile, mutate(original, rng.fork(k)).bytes);
      const t0 = performance.now();
      try {
        const r = await fit({ ...fitOpts, model: make(), checkpointDir: dirname(mutatedFile) });
        expect(r.bestParameters).toEqual(resumedClean.bestParameters);
        tally.count('ok (identical resume)', performance.now() - t0);
      } catch (error) {
        tally.count(expectClearError(error, mutatedFile), performance.now() - t0);
      }
    }
  }, 60_000);
});

describe('fuzz: LLM replies (llm-fn reply parser)', () => {
  const n = 8;
  const expected = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'positive' : 'negative'));
  const json = JSON.stringify({ judgments: expected.map((label, index) => ({ index, label })) });
  const bases = [json, '```json\n' + json + '\n```', `Sure! Here are my judgments:\n${json}\nLet me know.`, expected.map((l, i) => `[${i}]: ${l}`).join('\n')];

  it('parseJudgments never throws, returns one label or null per candidate, and reads intact replies exactly', () => {
    for (const b of bases) expect(parseJudgments(b, n).labels).toEqual(expected);
    let which = 0;
    fuzz('llm-reply', () => Buffer.from(bases[which++ % bases.length]!), 800, (bytes) => {
      const text = bytes.toString('utf8');
      const r = parseJudgments(text, n);
      expect(r.labels.length).toBe(n);
      for (const l of r.labels) expect([null, 'positive', 'negative']).toContain(l);
      expect(['json', 'repaired', 'regex', 'none']).toContain(r.method);
      if (bases.includes(text)) expect(r.labels).toEqual(expected);
      return `ok (${r.method})`;
    });
  });
});

describe('fuzz: a few mutated inputs through the real CLI', () => {
  it('dtl data stats and dtl run exit 2 with one "dtl: CODE: file…" line, never a stack trace', () => {
    const rng = createRng(FUZZ_SEED).fork('cli');
    const dataDir = join(root, 'cli-data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'train.txt'), Buffer.concat([Buffer.from(trainText), Buffer.from('3 1999999999\n')]));
    writeFileSync(join(dataDir, 'test.txt'), mutate(Buffer.from(testText), rng).bytes);
    const config = join(root, 'cli.yaml');
    writeFileSync(config, 'trees: { k: 1 }\njudge: { llm: "openai:" }\n');
    for (const args of [['data', 'stats', '--data', dataDir], ['run', '--config', config, '--out', join(root, 'cli-run')]]) {
      const r = spawnSync(process.execPath, ['--conditions=@dtl/source', '--import', 'tsx', 'apps/dtl/src/bin.ts', ...args], { cwd: repo, encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^dtl: (INVALID_DATA|INVALID_ARGUMENT): /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
