import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSynthetic } from '@dtl/data';
import { evaluateRanking } from '@dtl/eval';
import type { ModelView } from '@dtl/core';
import { createLightGcnModel } from './lightgcn.ts';
import { createMfModel } from './mf.ts';
import { fit } from './fit.ts';
import { lrScheduleOf } from './lr-schedule.ts';
import type { FitOptions, SplitEvaluator } from './fit.ts';

const { data } = generateSynthetic({ preset: 'tiny', seed: 3 });
const evaluate: SplitEvaluator = async (model: ModelView, split) => {
  const relevant = split === 'valid' ? data.valid! : data.test!;
  const r = await evaluateRanking({
    users: { rows: model.nUsers, dim: model.dim, data: model.pooledUsers() },
    items: { rows: model.nItems, dim: model.dim, data: model.pooledItems() },
    mask: data.train,
    relevant,
    ks: [20],
  });
  return r.metrics;
};
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'dtl-fit-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const mf = () => createMfModel({ nUsers: data.nUsers, nItems: data.nItems, dim: 16, seed: 1, optimizer: { lr: 0.01 } });
/** A model view of MF parameters (users then items in one table). */
const mfView = (p: Readonly<Record<string, Float32Array>>): ModelView => {
  const m = mf();
  m.setParameters(p);
  return m;
};
const base = (model: ReturnType<typeof mf>): FitOptions => ({ model, train: data.train, epochs: 20, evalEvery: 5, batchSize: 256, seed: 9, evaluate });

describe('fit', () => {
  it('learns: MF beats its own untrained ranking by a wide margin', async () => {
    const model = mf();
    const before = (await evaluate(model, 'test'))['recall@20']!;
    const result = await fit(base(model));
    expect(result.test!['recall@20']!).toBeGreaterThan(2 * before + 0.05);
    expect(result.history[result.history.length - 1]!.loss).toBeLessThan(result.history[0]!.loss);
    expect(result.bestEpoch % 5).toBe(0);
  });

  it('is deterministic for a seed', async () => {
    const a = await fit(base(mf()));
    const b = await fit(base(mf()));
    expect(b.bestParameters).toEqual(a.bestParameters);
    expect(b.test).toEqual(a.test);
  });

  it('early-stops after `patience` evaluations without improvement', async () => {
    const model = mf();
    let calls = 0;
    // A validation metric that only gets worse after the first evaluation.
    const result = await fit({ ...base(model), epochs: 100, patience: 2, evaluate: async () => ({ 'recall@20': 1 / ++calls }) });
    expect(result.bestEpoch).toBe(5);
    expect(result.epochsRun).toBe(15);
    expect(result.stoppedEarly).toBe(true);
  });

  for (const kind of ['mf', 'lightgcn'] as const) {
    it(`${kind}: a run that crashes resumes from its last checkpoint and ends exactly like an uninterrupted run`, async () => {
      const make = () =>
        kind === 'mf' ? mf() : createLightGcnModel({ nUsers: data.nUsers, nItems: data.nItems, dim: 8, layers: 2, train: data.train, seed: 1, optimizer: { lr: 0.01 } });
      const epochs = kind === 'mf' ? 20 : 10;
      const uninterrupted = await fit({ ...base(make()), epochs, checkpointDir: tempDir() });
      const dir = tempDir();
      await expect(
        fit({
          ...base(make()),
          epochs,
          checkpointDir: dir,
          onEpoch: (e) => {
            if (e.epoch === 7) throw new Error('simulated crash');
          },
        }),
      ).rejects.toThrow('simulated crash');
      const resumed = await fit({ ...base(make()), epochs, checkpointDir: dir });
      expect(resumed.resumedFromEpoch).toBe(5);
      expect(resumed.test).toEqual(uninterrupted.test);
      expect(resumed.bestEpoch).toBe(uninterrupted.bestEpoch);
      expect(resumed.bestParameters).toEqual(uninterrupted.bestParameters);
      expect(resumed.history.map((h) => h.loss)).toEqual(uninterrupted.history.map((h) => h.loss));
    });
  }

  it('without validation, scores a learning curve every evalEvery epochs that selects nothing, and checkpoints there', async () => {
    const dir = tempDir();
    const curve = async (m: ModelView) => evaluate(m, 'test');
    const noCurve = await fit({ ...base(mf()), evaluate: undefined, epochs: 12 });
    const crash = fit({
      ...base(mf()),
      evaluate: undefined,
      curve,
      epochs: 12,
      checkpointDir: dir,
      onEpoch: (e) => {
        if (e.epoch === 7) throw new Error('simulated crash');
      },
    });
    await expect(crash).rejects.toThrow('simulated crash');
    const result = await fit({ ...base(mf()), evaluate: undefined, curve, epochs: 12, checkpointDir: dir });
    expect(result.resumedFromEpoch).toBe(5);
    expect(result.history.filter((h) => h.test).map((h) => h.epoch)).toEqual([5, 10, 12]);
    expect(result.history.every((h) => h.valid === undefined)).toBe(true);
    // The last epoch is kept, the curve changes nothing in training.
    expect(result.bestEpoch).toBe(12);
    expect(result.bestParameters).toEqual(noCurve.bestParameters);
    expect(result.history[11]!.test).toEqual(await evaluate(mfView(result.bestParameters), 'test'));
  });

  it('a learning-rate schedule: constant changes nothing, cosine changes training and resumes exactly', async () => {
    const plain = await fit({ ...base(mf()), epochs: 10 });
    const constant = await fit({ ...base(mf()), epochs: 10, lrSchedule: lrScheduleOf({ kind: 'constant', epochs: 10 }) });
    expect(constant.bestParameters).toEqual(plain.bestParameters);
    const cosine = () => lrScheduleOf({ kind: 'cosine', epochs: 10, minScale: 0.05 });
    const whole = await fit({ ...base(mf()), epochs: 10, lrSchedule: cosine(), checkpointDir: tempDir() });
    expect(whole.history.map((h) => h.loss)).not.toEqual(plain.history.map((h) => h.loss));
    const dir = tempDir();
    const crash = fit({ ...base(mf()), epochs: 10, lrSchedule: cosine(), checkpointDir: dir, onEpoch: (e) => {
      if (e.epoch === 7) throw new Error('simulated crash');
    } });
    await expect(crash).rejects.toThrow('simulated crash');
    const resumed = await fit({ ...base(mf()), epochs: 10, lrSchedule: cosine(), checkpointDir: dir });
    expect(resumed.resumedFromEpoch).toBe(5);
    expect(resumed.bestParameters).toEqual(whole.bestParameters);
    expect(resumed.history.map((h) => h.loss)).toEqual(whole.history.map((h) => h.loss));
  });

  it('refuses a learning-rate schedule for a model that cannot change its rate', async () => {
    const model = mf();
    const bare = Object.assign(Object.create(Object.getPrototypeOf(model)), model, { setLearningRateScale: undefined });
    await expect(fit({ ...base(bare), epochs: 1, lrSchedule: lrScheduleOf({ kind: 'constant', epochs: 1 }) })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('refuses a checkpoint written with other settings', async () => {
    const dir = tempDir();
    await fit({ ...base(mf()), epochs: 5, checkpointDir: dir, fingerprint: 'a' });
    await expect(fit({ ...base(mf()), epochs: 5, checkpointDir: dir, fingerprint: 'b' })).rejects.toMatchObject({ code: 'STATE_MISMATCH' });
  });
});
