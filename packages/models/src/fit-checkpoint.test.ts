import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCheckpoint } from './checkpoint.ts';
import { bestParametersOf, fitCheckpointPath, loadFitCheckpoint, saveFitCheckpoint } from './fit-checkpoint.ts';
import type { FitCheckpointMeta } from './fit-checkpoint.ts';

const dir = mkdtempSync(join(tmpdir(), 'dtl-fit-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meta: FitCheckpointMeta = {
  fingerprint: 'abc',
  model: 'mf',
  config: { dim: 2 },
  step: 7,
  epoch: 5,
  history: [{ epoch: 5 }],
  bestEpoch: 5,
  bestValue: 0.25,
  sinceBest: 0,
  bestValid: { m: 0.25 },
  bestTest: { m: 0.2 },
  finished: false,
};

describe('fit checkpoints', () => {
  it('round-trip the state, the meta and the best parameters (stored as best.*)', () => {
    const path = fitCheckpointPath(join(dir, 'a'));
    expect(path.endsWith('checkpoint.bin')).toBe(true);
    expect(loadFitCheckpoint(path, undefined)).toBeUndefined();
    saveFitCheckpoint(path, { model: 'mf', config: { dim: 2 }, step: 7, tensors: { 'embeddings.0': Float32Array.of(1, 2) } }, meta, { 'embeddings.0': Float32Array.of(3, 4) });
    const ck = loadFitCheckpoint<{ epoch: number }>(path, 'abc')!;
    expect(ck.meta).toEqual(meta);
    expect(ck.state.model).toBe('mf');
    expect(ck.state.step).toBe(7);
    expect(Object.keys(ck.state.tensors)).toEqual(['embeddings.0']);
    expect(Array.from(ck.state.tensors['embeddings.0']!)).toEqual([1, 2]);
    expect(Array.from(ck.bestParameters!['embeddings.0']!)).toEqual([3, 4]);
  });

  it('a run with no evaluation yet stores −Infinity as null and reads it back', () => {
    const path = fitCheckpointPath(join(dir, 'b'));
    saveFitCheckpoint(path, { model: 'mf', config: {}, step: 1, tensors: {} }, { ...meta, bestValue: -Infinity }, {});
    expect(loadFitCheckpoint(path, undefined)!.meta.bestValue).toBe(-Infinity);
    expect(loadFitCheckpoint(path, undefined)!.bestParameters).toBeUndefined();
  });

  it('another fingerprint is STATE_MISMATCH; malformed meta is INVALID_DATA', () => {
    const path = fitCheckpointPath(join(dir, 'c'));
    saveFitCheckpoint(path, { model: 'mf', config: {}, step: 1, tensors: {} }, meta, {});
    expect(() => loadFitCheckpoint(path, 'other')).toThrow(expect.objectContaining({ code: 'STATE_MISMATCH' }));
    writeCheckpoint(path, { meta: { ...meta, sinceBest: -1 }, tensors: {} });
    expect(() => loadFitCheckpoint(path, undefined)).toThrow(expect.objectContaining({ code: 'INVALID_DATA' }));
  });

  it('bestParametersOf picks the best.* tensors by parameter name', () => {
    expect(bestParametersOf({ 'adam.m': Float32Array.of(1) })).toBeUndefined();
    expect(Object.keys(bestParametersOf({ 'adam.m': Float32Array.of(1), 'best.embeddings.0': Float32Array.of(2) })!)).toEqual(['embeddings.0']);
  });
});
